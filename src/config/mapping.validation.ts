import 'reflect-metadata';
import { plainToInstance, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
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

class ManagersSetting {
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsInt({ each: true })
  @Min(1, { each: true })
  roundRobin?: number[];

  @IsOptional()
  @IsBoolean()
  contactManager?: boolean;
}

class TasksSetting {
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @IsOptional()
  @IsInt()
  @Min(1)
  typeId?: number;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  text?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  repeatText?: string;

  @IsOptional()
  @IsObject()
  hours?: Record<string, number[]>;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1440)
  anyTimeMinutes?: number;
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

  @IsOptional()
  @ValidateNested()
  @Type(() => ManagersSetting)
  managers?: ManagersSetting;

  @IsOptional()
  @ValidateNested()
  @Type(() => TasksSetting)
  tasks?: TasksSetting;
}

/** The windows that may be configured, and how a window's hours are written: [from, to). */
export const CONTACT_WINDOWS = ['MORNING', 'AFTERNOON', 'EVENING'] as const;

function checkHours(hours: Record<string, unknown>, path: string): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(hours)) {
    if (!(CONTACT_WINDOWS as readonly string[]).includes(name)) {
      problems.push(`${path}.${name} is not a contact window (${CONTACT_WINDOWS.join(', ')})`);
      continue;
    }
    const ok =
      Array.isArray(value) &&
      value.length === 2 &&
      value.every((h) => Number.isInteger(h) && h >= 0 && h <= 24) &&
      value[0] < value[1];
    if (!ok) problems.push(`${path}.${name} must be [fromHour, toHour] with 0 <= from < to <= 24`);
  }
  return problems;
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
  managers?: { roundRobin?: number[]; contactManager?: boolean };
  tasks?: {
    enabled?: boolean;
    typeId?: number;
    text?: string;
    repeatText?: string;
    hours?: Record<string, [number, number]>;
    anyTimeMinutes?: number;
  };
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
  if (mapping.tasks?.hours)
    problems.push(...checkHours(mapping.tasks.hours, `${source}.tasks.hours`));
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
