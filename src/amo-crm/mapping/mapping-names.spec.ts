import { checkMappingNames } from './mapping-names';

describe('checkMappingNames', () => {
  it('passes our statuses and option names through', () => {
    const m = {
      statuses: { WON: { pipelineId: 1, statusId: 142 } },
      fields: { contactMethod: { id: 2, enums: { PHONE: 3, TELEGRAM: 4 } } },
    };
    expect(checkMappingNames(m)).toBe(m);
  });

  it('stops on a status or an option that does not exist here, naming it', () => {
    expect(() => checkMappingNames({ statuses: { WONN: { pipelineId: 1, statusId: 2 } } })).toThrow(
      /statuses\.WONN is not a lead status/,
    );
    expect(() =>
      checkMappingNames({ fields: { contactTime: { id: 2, enums: { NIGHT: 3 } } } }),
    ).toThrow(/fields\.contactTime\.enums\.NIGHT is not one of ANY_TIME/);
  });

  it('stops on a task text placeholder that is not ours', () => {
    expect(() => checkMappingNames({ tasks: { text: 'Call {guestName} on {phone}' } })).toThrow(
      /tasks\.text has an unknown placeholder \{phone\}/,
    );
  });
});
