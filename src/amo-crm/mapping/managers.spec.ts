import { ResponsibleSource } from '../../leads/lead.enums';
import { decideManager, managerForTurn, resolveManagers } from './managers';

const users = [
  { id: 1, name: 'Admin', rights: { is_active: true } },
  { id: 2, name: 'Anna', rights: { is_active: true } },
  { id: 3, name: 'Boris', rights: { is_active: true } },
  { id: 4, name: 'Former', rights: { is_active: false } },
];

describe('managers', () => {
  const { managers, problems } = resolveManagers({ roundRobin: [2, 4, 3, 99, 2] }, users);

  it('keeps active round-robin managers in order and reports inactive and unknown ids', () => {
    expect(managers.roundRobin.map((m) => m.id)).toEqual([2, 3]);
    expect(problems).toEqual([
      'managers.roundRobin: user 4 (Former) is not active in amoCRM; skipped',
      'managers.roundRobin: user 99 does not exist in amoCRM; skipped',
    ]);
    expect(managers.active.map((m) => m.id)).toEqual([1, 2, 3]);
  });

  it('prefers the property agent, then the contact manager, then round-robin', () => {
    expect(decideManager({ propertyAgent: 3, contactManager: 2 }, managers)).toMatchObject({
      source: ResponsibleSource.PROPERTY,
      userId: 3,
    });
    expect(decideManager({ propertyAgent: null, contactManager: 2 }, managers)).toMatchObject({
      source: ResponsibleSource.CONTACT,
      userId: 2,
    });
    expect(decideManager({ propertyAgent: null, contactManager: null }, managers)).toMatchObject({
      source: ResponsibleSource.ROUND_ROBIN,
    });
  });

  it('skips an inactive agent and an unknown contact manager, naming both', () => {
    const d = decideManager({ propertyAgent: 4, contactManager: 77 }, managers);
    expect(d.source).toBe(ResponsibleSource.ROUND_ROBIN);
    expect(d.skipped).toEqual([
      'property agent 4 is not an active amoCRM user',
      "contact's manager 77 is not an active amoCRM user",
    ]);
  });

  it("falls back to amoCRM's default without a round-robin list, and ignores contacts when told", () => {
    const none = resolveManagers({ contactManager: false }, users).managers;
    expect(decideManager({ propertyAgent: null, contactManager: 2 }, none)).toMatchObject({
      source: ResponsibleSource.DEFAULT,
      userId: null,
    });
  });

  it('turns go round the list', () => {
    expect([0, 1, 2, 3, 4].map((t) => managerForTurn(t, managers))).toEqual([2, 3, 2, 3, 2]);
  });
});
