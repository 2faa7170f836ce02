import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMapping, parseMapping } from './mapping.validation';

const parse = (value: unknown) => parseMapping(JSON.stringify(value), 'AMO_MAPPING_JSON');

describe('mapping validation', () => {
  it('accepts a full mapping and an empty one', () => {
    const full = {
      statuses: { WON: { pipelineId: 7000001, statusId: 142 } },
      fields: { ourLeadId: 1, property: 2, source: { id: 3, enums: { SITE: 4 } } },
      tags: ['site'],
    };
    expect(parse(full)).toEqual(full);
    expect(loadMapping(undefined, undefined)).toEqual({});
  });

  it('stops on malformed JSON, naming the variable', () => {
    expect(() => parseMapping('{fields:', 'AMO_MAPPING_JSON')).toThrow(
      /AMO_MAPPING_JSON is not valid JSON/,
    );
  });

  it('names the key whose value is wrong', () => {
    expect(() => parse({ fields: { ourLeadId: 'x' } })).toThrow(
      /AMO_MAPPING_JSON\.fields\.ourLeadId must be an integer/,
    );
    expect(() => parse({ statuses: { WON: { pipelineId: 1 } } })).toThrow(
      /AMO_MAPPING_JSON\.statuses\.WON\.statusId/,
    );
    expect(() => parse({ fields: { contactTime: { id: 5, enums: { MORNING: 'x' } } } })).toThrow(
      /AMO_MAPPING_JSON\.fields\.contactTime\.enums\.MORNING must be a positive integer id/,
    );
    expect(() => parse({ tags: 'site' })).toThrow(/AMO_MAPPING_JSON\.tags/);
  });

  it('names a key that is not part of the mapping (a typo)', () => {
    expect(() => parse({ fields: { ourleadid: 1 } })).toThrow(
      /AMO_MAPPING_JSON\.fields\.ourleadid is not a mapping key/,
    );
  });

  it('reads AMO_MAPPING_FILE and names it in errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mapping-'));
    const file = join(dir, 'mapping.json');
    writeFileSync(file, JSON.stringify({ tags: ['a'] }));
    expect(loadMapping(undefined, file)).toEqual({ tags: ['a'] });
    expect(() => loadMapping(undefined, join(dir, 'missing.json'))).toThrow(
      /AMO_MAPPING_FILE cannot be read/,
    );
    writeFileSync(file, '[1]');
    try {
      expect(() => loadMapping(undefined, file)).toThrow(/AMO_MAPPING_FILE must be an object/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts managers and task settings, and names a bad window or list', () => {
    const ok = {
      managers: { roundRobin: [9000002, 9000003], contactManager: false },
      tasks: { enabled: true, typeId: 2, hours: { MORNING: [8, 11] }, anyTimeMinutes: 30 },
    };
    expect(parse(ok)).toEqual(ok);
    expect(() => parse({ managers: { roundRobin: ['x'] } })).toThrow(
      /AMO_MAPPING_JSON\.managers\.roundRobin/,
    );
    expect(() => parse({ tasks: { hours: { NIGHT: [1, 2] } } })).toThrow(
      /AMO_MAPPING_JSON\.tasks\.hours\.NIGHT is not a contact window/,
    );
    expect(() => parse({ tasks: { hours: { EVENING: [21, 17] } } })).toThrow(
      /AMO_MAPPING_JSON\.tasks\.hours\.EVENING must be \[fromHour, toHour\]/,
    );
    expect(() => parse({ tasks: { anyTimeMinutes: 0 } })).toThrow(
      /AMO_MAPPING_JSON\.tasks\.anyTimeMinutes/,
    );
    expect(() => parse({ tasks: { colour: 'red' } })).toThrow(
      /AMO_MAPPING_JSON\.tasks\.colour is not a mapping key/,
    );
  });
});
