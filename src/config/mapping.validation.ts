import 'reflect-metadata';
import { plainToInstance, Type } from 'class-transformer';
import {
  IsArray,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Min,
  ValidateNested,
  ValidationError,
  validateSync,
} from 'class-validator';
import { readFileSync } from 'node:fs';

/**
 * The shape of the amoCRM mapping (AMO_MAPPING_JSON, or the file in AMO_MAPPING_FILE), checked
 * at boot like every other setting: a mistake stops the process with the key that is wrong.
 * Which statuses and enum options exist is the mapping folder's knowledge; it checks those
 * names when it starts, and checks the ids against the live account when it resolves them.
 */
class StageRefSetting {
  @IsInt()
  @Min(1)
  pipelineId: number;

  @IsInt()
  @Min(1)
  statusId: number;
}

class SelectFieldSetting {
  @IsInt()
  @Min(1)
  id: number;

  @IsObject()
  enums: Record<string, number>;
}

class MappingFieldsSetting {
  @IsOptional()
  @IsInt()
  @Min(1)
  ourLeadId?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  property?: number;

  @IsOptional()
  @ValidateNested()
  @Type(() => SelectFieldSetting)
  contactMethod?: SelectFieldSetting;

  @IsOptional()
  @ValidateNested()
  @Type(() => SelectFieldSetting)
  contactTime?: SelectFieldSetting;

  @IsOptional()
  @ValidateNested()
  @Type(() => SelectFieldSetting)
  source?: SelectFieldSetting;
}

class MappingSetting {
  @IsOptional()
  @IsObject()
  statuses?: Record<string, StageRefSetting>;

  @IsOptional()
  @ValidateNested()
  @Type(() => MappingFieldsSetting)
  fields?: MappingFieldsSetting;

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  tags?: string[];
}

/** The mapping as configured; status and option names are plain strings at this level. */
export interface MappingSettings {
  statuses?: Record<string, { pipelineId: number; statusId: number }>;
  fields?: {
    ourLeadId?: number;
    property?: number;
    contactMethod?: { id: number; enums: Record<string, number> };
    contactTime?: { id: number; enums: Record<string, number> };
    source?: { id: number; enums: Record<string, number> };
  };
  tags?: string[];
}

function flatten(errors: ValidationError[], prefix: string): string[] {
  return errors.flatMap((e) => {
    const path = `${prefix}.${e.property}`;
    const own = Object.entries(e.constraints ?? {}).map(([kind, message]) =>
      kind === 'whitelistValidation'
        ? `${path} is not a mapping key`
        : message.startsWith(e.property)
          ? `${prefix}.${message}`
          : `${path}: ${message}`,
    );
    return [...own, ...flatten(e.children ?? [], path)];
  });
}

function check(cls: new () => object, value: unknown, path: string): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [`${path} must be an object`];
  }
  const errors = validateSync(plainToInstance(cls, value), {
    whitelist: true,
    forbidNonWhitelisted: true,
  });
  return flatten(errors, path);
}

/** Named after the variable it came from, so the message points at what to fix. */
export function parseMapping(raw: string, source: string): MappingSettings {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new Error(
      `Invalid configuration:\n  - ${source} is not valid JSON (${(err as Error).message})`,
    );
  }
  const problems = check(MappingSetting, parsed, source);
  const mapping = (problems.length ? {} : parsed) as MappingSettings;
  for (const [status, ref] of Object.entries(mapping.statuses ?? {})) {
    problems.push(...check(StageRefSetting, ref, `${source}.statuses.${status}`));
  }
  for (const [key, field] of Object.entries(mapping.fields ?? {})) {
    if (typeof field !== 'object') continue;
    for (const [option, id] of Object.entries(field.enums)) {
      if (!Number.isInteger(id) || id < 1) {
        problems.push(`${source}.fields.${key}.enums.${option} must be a positive integer id`);
      }
    }
  }
  if (problems.length) {
    throw new Error(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return mapping;
}

/** AMO_MAPPING_JSON wins over AMO_MAPPING_FILE; neither = the defaults. */
export function loadMapping(json: string | undefined, file: string | undefined): MappingSettings {
  if (json !== undefined) return parseMapping(json, 'AMO_MAPPING_JSON');
  if (file === undefined) return {};
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(
      `Invalid configuration:\n  - AMO_MAPPING_FILE cannot be read (${(err as Error).message})`,
    );
  }
  return parseMapping(raw, 'AMO_MAPPING_FILE');
}
