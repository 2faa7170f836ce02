import { MappingSettings } from '../../config/mapping.validation';
import { ContactMethod, ContactTime, LeadSource, LeadStatus } from '../../leads/lead.enums';
import { AmoMappingConfig } from './amo-mapping';
import { unknownPlaceholders } from './task-settings';

const SELECTS = {
  contactMethod: Object.values(ContactMethod),
  contactTime: Object.values(ContactTime),
  source: Object.values(LeadSource),
} as const;

/**
 * The configured mapping's shape is checked with the rest of the config; the names in it
 * (our statuses and option values) are ours, so they are checked here, also at boot.
 */
export function checkMappingNames(mapping: MappingSettings): AmoMappingConfig {
  const problems: string[] = [];
  const statuses: string[] = Object.values(LeadStatus);
  for (const key of Object.keys(mapping.statuses ?? {})) {
    if (!statuses.includes(key)) {
      problems.push(`amoCRM mapping statuses.${key} is not a lead status (${statuses.join(', ')})`);
    }
  }
  for (const [field, names] of Object.entries(SELECTS) as [keyof typeof SELECTS, string[]][]) {
    for (const key of Object.keys(mapping.fields?.[field]?.enums ?? {})) {
      if (!names.includes(key)) {
        problems.push(
          `amoCRM mapping fields.${field}.enums.${key} is not one of ${names.join(', ')}`,
        );
      }
    }
  }
  for (const key of ['text', 'repeatText'] as const) {
    const text = mapping.tasks?.[key];
    for (const name of text ? unknownPlaceholders(text) : []) {
      problems.push(`amoCRM mapping tasks.${key} has an unknown placeholder {${name}}`);
    }
  }
  if (problems.length) throw new Error(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return mapping;
}
