import { LeadStatus } from '../../leads/lead.enums';
import { AmoCustomField, AmoPipeline } from '../api/amo-crm.types';
import { resolveMapping, statusForStage } from './amo-mapping';

const pipelines: AmoPipeline[] = [
  {
    id: 10,
    name: 'Other',
    _embedded: { statuses: [{ id: 11, name: 'Other first', sort: 10 }] },
  },
  {
    id: 20,
    name: 'Sales',
    is_main: true,
    _embedded: {
      statuses: [
        { id: 21, name: 'Unsorted', sort: 0, type: 1 },
        { id: 23, name: 'Viewing', sort: 30 },
        { id: 22, name: 'First contact', sort: 20 },
        { id: 142, name: 'Won', sort: 10000 },
        { id: 143, name: 'Lost', sort: 11000 },
      ],
    },
  },
];
const fields: AmoCustomField[] = [
  { id: 1, name: 'Our id', type: 'text' },
  { id: 2, name: 'Method', type: 'select', enums: [{ id: 5, value: 'Phone' }] },
];

describe('resolveMapping', () => {
  it('maps working statuses onto the main pipeline in stage order, skipping unsorted', () => {
    const m = resolveMapping({}, pipelines, fields);
    expect(m.statuses.NEW).toMatchObject({ pipelineId: 20, statusId: 22 });
    expect(m.statuses.IN_PROGRESS).toMatchObject({ statusId: 23, statusName: 'Viewing' });
    // fewer stages than statuses: the rest share the last regular stage
    expect(m.statuses.NEGOTIATION).toMatchObject({ statusId: 23 });
    expect(m.statuses.WON).toMatchObject({ pipelineId: 20, statusId: 142, statusName: 'Won' });
    expect(m.statuses.LOST).toMatchObject({ statusId: 143 });
    expect(m.tags).toEqual(['site']);
    expect(m.problems).toEqual([]);
  });

  it('takes configured stages that exist and reports those that do not', () => {
    const m = resolveMapping(
      {
        statuses: {
          [LeadStatus.NEW]: { pipelineId: 10, statusId: 11 },
          [LeadStatus.NEGOTIATION]: { pipelineId: 20, statusId: 99 },
        },
      },
      pipelines,
      fields,
    );
    expect(m.statuses.NEW).toMatchObject({ pipelineName: 'Other', statusName: 'Other first' });
    expect(m.statuses.NEGOTIATION).toBeUndefined();
    expect(m.problems).toEqual([expect.stringContaining('status NEGOTIATION: stage 99')]);
  });

  it('keeps fields and options that exist in amoCRM and reports the rest', () => {
    const m = resolveMapping(
      {
        fields: {
          ourLeadId: 1,
          property: 3,
          contactMethod: { id: 2, enums: { PHONE: 5, EMAIL: 6 } },
        },
        tags: [],
      },
      pipelines,
      fields,
    );
    expect(m.fields).toEqual({ ourLeadId: 1, contactMethod: { id: 2, enums: { PHONE: 5 } } });
    expect(m.tags).toEqual([]);
    expect(m.problems).toEqual([
      'field property: custom field 3 does not exist in amoCRM',
      'field contactMethod: option 6 for EMAIL does not exist in field 2',
    ]);
  });

  it('reports an account without pipelines', () => {
    expect(resolveMapping({}, [], []).problems).toEqual(['amoCRM has no pipelines']);
  });
});

describe('statusForStage', () => {
  const m = resolveMapping({}, pipelines, fields);

  it('finds the local status of a mapped stage of its pipeline', () => {
    expect(statusForStage(m, 20, 22)).toBe(LeadStatus.NEW);
    expect(statusForStage(m, 10, 22)).toBeNull();
  });

  it('treats won and lost as the same in every pipeline', () => {
    expect(statusForStage(m, 10, 142)).toBe(LeadStatus.WON);
    expect(statusForStage(m, 10, 143)).toBe(LeadStatus.LOST);
  });

  it('checks managers, the task type and the time zone against the account', () => {
    const m = resolveMapping(
      { managers: { roundRobin: [2, 3] }, tasks: { typeId: 7 } },
      pipelines,
      fields,
      {
        users: [
          { id: 2, name: 'Anna', rights: { is_active: true } },
          { id: 3, name: 'Former', rights: { is_active: false } },
        ],
        settings: { timezone: 'Mars/Base', taskTypes: [{ id: 1, name: 'Follow-up' }] },
      },
      (zone) => zone !== 'Mars/Base',
    );
    expect(m.managers.roundRobin).toEqual([{ id: 2, name: 'Anna' }]);
    expect(m.tasks.typeId).toBe(1);
    expect(m.timezone).toBe('UTC');
    expect(m.problems).toEqual([
      'managers.roundRobin: user 3 (Former) is not active in amoCRM; skipped',
      'tasks.typeId: task type 7 does not exist in amoCRM; using 1',
      'amoCRM time zone Mars/Base is unknown here; contact windows read in UTC',
    ]);
  });

  it("takes the account's time zone and defaults the task settings", () => {
    const m = resolveMapping({}, pipelines, fields, {
      users: [],
      settings: { timezone: 'Asia/Vladivostok', taskTypes: [] },
    });
    expect(m.timezone).toBe('Asia/Vladivostok');
    expect(m.tasks).toMatchObject({ enabled: true, typeId: 1, anyTimeMinutes: 15 });
    expect(m.tasks.hours.EVENING).toEqual([17, 21]);
  });
});
