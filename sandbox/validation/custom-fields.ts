/** custom_fields_values: one reader per field type, as amoCRM checks them. */
import type { FieldDef } from '../fixtures';
import { isRecord } from '../http';
import type { CustomFieldPatch } from '../store';
import type { CustomFieldValueItem } from '../types';
import { DETAIL, checkKeys, join, readInt, readString, type Issues } from './common';

const NUMERIC = /^-?\d+(\.\d+)?$/;
/** amoCRM documents at most 40 values per custom field of an entity (complex-leads reference). */
export const MAX_FIELD_VALUES = 40;

function isWebUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function readFieldValues(
  field: FieldDef,
  raw: unknown,
  base: string,
  issues: Issues,
): CustomFieldValueItem[] | null | undefined {
  if (raw === null) return null;
  if (!Array.isArray(raw)) {
    issues.type(base, 'array');
    return undefined;
  }
  if (raw.length === 0) {
    issues.blank(base);
    return undefined;
  }
  if (raw.length > MAX_FIELD_VALUES) {
    issues.add(
      'CountTooMany',
      base,
      `This collection should contain ${MAX_FIELD_VALUES} elements or less.`,
    );
    return undefined;
  }
  if (field.type === 'select' && raw.length > 1) {
    issues.add('CountTooMany', base, DETAIL.one);
    return undefined;
  }
  const enums = field.enums ?? [];
  const out: CustomFieldValueItem[] = [];
  const before = issues.errors.length;
  raw.forEach((item, j) => {
    const path = join(base, j);
    if (!isRecord(item)) {
      issues.type(path, 'object');
      return;
    }
    switch (field.type) {
      case 'text':
      case 'textarea':
      case 'tracking_data': {
        checkKeys(item, ['value'], path, issues);
        const value = readString(item, 'value', path, issues);
        if (!('value' in item)) issues.blank(join(path, 'value'));
        if (value !== undefined) out.push({ value });
        return;
      }
      case 'url': {
        checkKeys(item, ['value'], path, issues);
        const value = readString(item, 'value', path, issues);
        if (!('value' in item)) issues.blank(join(path, 'value'));
        else if (value !== undefined && !isWebUrl(value)) {
          issues.add('InvalidUrl', join(path, 'value'), 'This value is not a valid URL.');
        } else if (value !== undefined) out.push({ value });
        return;
      }
      case 'date': {
        // A Unix timestamp in seconds, as a number or a digit string; read back as a number.
        checkKeys(item, ['value'], path, issues);
        const v = item.value;
        const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
        if (typeof n === 'number' && Number.isInteger(n) && n >= 0) out.push({ value: n });
        else issues.type(join(path, 'value'), 'int');
        return;
      }
      case 'numeric': {
        checkKeys(item, ['value'], path, issues);
        const v = item.value;
        if (typeof v === 'number' && Number.isFinite(v)) out.push({ value: String(v) });
        else if (typeof v === 'string' && NUMERIC.test(v.trim())) out.push({ value: v.trim() });
        else issues.add('InvalidType', join(path, 'value'), DETAIL.numeric);
        return;
      }
      case 'select': {
        checkKeys(item, ['value', 'enum_id'], path, issues);
        const enumId = readInt(item, 'enum_id', path, issues);
        const value = readString(item, 'value', path, issues);
        if (enumId === undefined && value === undefined) {
          if (!('enum_id' in item) && !('value' in item)) issues.blank(join(path, 'value'));
          return;
        }
        const byId = typeof enumId === 'number' ? enums.find((e) => e.id === enumId) : undefined;
        if (typeof enumId === 'number' && !byId) {
          issues.choice(join(path, 'enum_id'));
          return;
        }
        const byValue = value !== undefined ? enums.find((e) => e.value === value) : undefined;
        if (value !== undefined && (!byValue || (byId && byId !== byValue))) {
          issues.choice(join(path, 'value'));
          return;
        }
        const chosen = byId ?? byValue;
        if (chosen) out.push({ value: chosen.value, enum_id: chosen.id, enum_code: null });
        return;
      }
      case 'multitext': {
        checkKeys(item, ['value', 'enum_id', 'enum_code'], path, issues);
        const value = readString(item, 'value', path, issues);
        if (!('value' in item)) issues.blank(join(path, 'value'));
        else if (value !== undefined && value.trim() === '') issues.blank(join(path, 'value'));
        const enumId = readInt(item, 'enum_id', path, issues);
        const enumCode = readString(item, 'enum_code', path, issues);
        let chosen = enums.find((e) => e.value === 'WORK') ?? enums[0];
        if (typeof enumId === 'number') {
          const byId = enums.find((e) => e.id === enumId);
          if (!byId) issues.choice(join(path, 'enum_id'));
          else chosen = byId;
        }
        if (enumCode !== undefined) {
          const byCode = enums.find((e) => e.value === enumCode);
          if (!byCode || (typeof enumId === 'number' && byCode.id !== enumId)) {
            issues.choice(join(path, 'enum_code'));
          } else chosen = byCode;
        }
        if (value !== undefined && chosen) {
          out.push({ value, enum_id: chosen.id, enum_code: chosen.value });
        }
        return;
      }
    }
  });
  return issues.errors.length === before ? out : undefined;
}

export function readCustomFields(
  raw: unknown,
  fields: FieldDef[],
  base: string,
  issues: Issues,
): CustomFieldPatch[] | undefined {
  if (!Array.isArray(raw)) {
    issues.type(base, 'array');
    return undefined;
  }
  const patches: CustomFieldPatch[] = [];
  raw.forEach((item, i) => {
    const path = join(base, i);
    if (!isRecord(item)) {
      issues.type(path, 'object');
      return;
    }
    checkKeys(item, ['field_id', 'field_code', 'values'], path, issues);
    let field: FieldDef | undefined;
    if ('field_id' in item) {
      const id = readInt(item, 'field_id', path, issues);
      if (id === undefined || id === null) return;
      field = fields.find((f) => f.id === id);
      if (!field) {
        issues.choice(join(path, 'field_id'));
        return;
      }
    } else if ('field_code' in item) {
      const code = readString(item, 'field_code', path, issues);
      if (code === undefined) return;
      field = fields.find((f) => f.code !== null && f.code === code);
      if (!field) {
        issues.choice(join(path, 'field_code'));
        return;
      }
    } else {
      issues.blank(join(path, 'field_id'));
      return;
    }
    if (!('values' in item)) {
      issues.blank(join(path, 'values'));
      return;
    }
    const values = readFieldValues(field, item.values, join(path, 'values'), issues);
    if (values !== undefined) patches.push({ field, values });
  });
  return patches;
}
