import { Lead } from '../../leads/lead.entity';
import { EffectiveMapping } from '../mapping/amo-mapping';
import { trackingFieldValues } from '../mapping/tracking-fields';

import {
  AmoComplexLeadItem,
  AmoContactFieldWrite,
  AmoCustomFieldValueWrite as CustomFieldValue,
} from '../api/amo-crm.types';

/** `Lead #<number> - <Property Title>`: what managers see, and our fallback marker. */
export function amoLeadName(lead: Lead, propertyTitle: string | null): string {
  return propertyTitle ? `Lead #${lead.number} - ${propertyTitle}` : `Lead #${lead.number}`;
}

export function leadCustomFields(
  lead: Lead,
  mapping: EffectiveMapping,
  propertyTitle: string | null,
): CustomFieldValue[] {
  const f = mapping.fields;
  const out: CustomFieldValue[] = [];
  if (f.ourLeadId) out.push({ field_id: f.ourLeadId, values: [{ value: lead.id }] });
  if (f.property && propertyTitle)
    out.push({ field_id: f.property, values: [{ value: propertyTitle }] });
  const select = (
    m: { id: number; enums: Partial<Record<string, number>> } | undefined,
    key: string,
  ) => {
    const enumId = m?.enums[key];
    if (m && enumId) out.push({ field_id: m.id, values: [{ enum_id: enumId }] });
  };
  select(f.contactMethod, lead.contactMethod);
  select(f.contactTime, lead.contactTime);
  select(f.source, lead.source);
  out.push(...trackingFieldValues(lead.tracking ?? null, mapping.tracking));
  return out;
}

export function contactFields(lead: Lead): AmoContactFieldWrite[] {
  const out: AmoContactFieldWrite[] = [];
  if (lead.guestPhone)
    out.push({ field_code: 'PHONE', values: [{ value: lead.guestPhone, enum_code: 'MOB' }] });
  if (lead.guestEmail)
    out.push({ field_code: 'EMAIL', values: [{ value: lead.guestEmail, enum_code: 'PRIV' }] });
  return out;
}

/** One lead of a complex create, with its contact: the known one, or a new one. */
export function complexLeadItem(
  lead: Lead,
  propertyTitle: string | null,
  price: number | null,
  mapping: EffectiveMapping,
  existingContactId: number | null,
): AmoComplexLeadItem {
  const stage = mapping.statuses[lead.status];
  const cf = leadCustomFields(lead, mapping, propertyTitle);
  return {
    name: amoLeadName(lead, propertyTitle),
    ...(price !== null ? { price } : {}),
    ...(stage ? { pipeline_id: stage.pipelineId, status_id: stage.statusId } : {}),
    ...(cf.length ? { custom_fields_values: cf } : {}),
    request_id: lead.id,
    _embedded: {
      tags: mapping.tags.map((name) => ({ name })),
      contacts: [
        existingContactId
          ? { id: existingContactId }
          : { name: lead.guestName, custom_fields_values: contactFields(lead) },
      ],
    },
  };
}
