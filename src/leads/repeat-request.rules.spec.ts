import { LeadStatus } from './lead.enums';
import { findRepeatOriginal, RepeatCandidate } from './repeat-request.rules';

const now = new Date('2026-12-03T12:00:00Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
const lead = (over: Partial<RepeatCandidate>): RepeatCandidate => ({
  id: 'a',
  propertyId: 'p1',
  guestPhone: '+79123456789',
  guestEmail: 'ivan@example.com',
  status: LeadStatus.NEW,
  repeatOf: null,
  createdAt: daysAgo(1),
  ...over,
});
const request = { propertyId: 'p1', guestPhone: '+79123456789', guestEmail: null };

describe('repeat requests', () => {
  it('joins an open lead of the same property by phone or by e-mail', () => {
    expect(findRepeatOriginal(request, [lead({})], now, 30)?.id).toBe('a');
    const byEmail = { propertyId: 'p1', guestPhone: null, guestEmail: 'ivan@example.com' };
    expect(findRepeatOriginal(byEmail, [lead({ guestPhone: null })], now, 30)?.id).toBe('a');
  });

  it('prefers the newest match', () => {
    const found = findRepeatOriginal(
      request,
      [lead({ id: 'old', createdAt: daysAgo(9) }), lead({ id: 'new', createdAt: daysAgo(2) })],
      now,
      30,
    );
    expect(found?.id).toBe('new');
  });

  it.each([
    ['another property', lead({ propertyId: 'p2' })],
    ['a won deal', lead({ status: LeadStatus.WON })],
    ['a lost deal', lead({ status: LeadStatus.LOST })],
    ['a lead older than the window', lead({ createdAt: daysAgo(31) })],
    ['a lead that is itself a repeat', lead({ repeatOf: 'x' })],
    ['another phone', lead({ guestPhone: '+79990000000', guestEmail: 'x@example.com' })],
  ])('does not join %s', (_name, candidate) => {
    expect(findRepeatOriginal(request, [candidate], now, 30)).toBeNull();
  });

  it('is off with a zero window and without a property', () => {
    expect(findRepeatOriginal(request, [lead({})], now, 0)).toBeNull();
    expect(findRepeatOriginal({ ...request, propertyId: null }, [lead({})], now, 30)).toBeNull();
  });
});
