import { ContactTime } from '../../leads/lead.enums';
import { DEFAULT_TASKS, unknownPlaceholders } from '../mapping/task-settings';
import { callbackDueAt, renderTaskText } from './callback-task.rules';
import { atLocalHour, localParts } from './zoned-time';

const due = (time: ContactTime, now: string, zone: string): string =>
  callbackDueAt(time, new Date(now), zone, DEFAULT_TASKS).toISOString();

describe('callback due time', () => {
  // 23:30 in Vladivostok (UTC+10) is 13:30 UTC: every window of "today" there has ended
  const lateVladivostok = '2026-12-03T13:30:00.000Z';

  it('after every window, is due at tomorrow’s window start in the account’s zone', () => {
    expect(due(ContactTime.MORNING, lateVladivostok, 'Asia/Vladivostok')).toBe(
      '2026-12-03T23:00:00.000Z', // 09:00 on the 4th, local
    );
    expect(due(ContactTime.AFTERNOON, lateVladivostok, 'Asia/Vladivostok')).toBe(
      '2026-12-04T02:00:00.000Z',
    );
    expect(due(ContactTime.EVENING, lateVladivostok, 'Asia/Vladivostok')).toBe(
      '2026-12-04T07:00:00.000Z',
    );
  });

  it('before a window, is due at its start the same local day, even when UTC is a day behind', () => {
    // 06:00 on the 4th in Vladivostok = 20:00 UTC on the 3rd
    expect(due(ContactTime.MORNING, '2026-12-03T20:00:00.000Z', 'Asia/Vladivostok')).toBe(
      '2026-12-03T23:00:00.000Z',
    );
    // 22:00 on the 3rd in New York (UTC-5) = 03:00 UTC on the 4th: the morning is the 4th's
    expect(due(ContactTime.MORNING, '2026-12-04T03:00:00.000Z', 'America/New_York')).toBe(
      '2026-12-04T14:00:00.000Z',
    );
  });

  it('inside the window, is moved past now by the ANY_TIME minutes', () => {
    // 14:00 local in Moscow (UTC+3): the afternoon has begun
    expect(due(ContactTime.AFTERNOON, '2026-12-03T11:00:00.000Z', 'Europe/Moscow')).toBe(
      '2026-12-03T11:15:00.000Z',
    );
    // 20:55 local: the evening ends at 21:00, so the window's end rather than past it
    expect(due(ContactTime.EVENING, '2026-12-03T17:55:00.000Z', 'Europe/Moscow')).toBe(
      '2026-12-03T18:00:00.000Z',
    );
  });

  it('ANY_TIME is due within the configured minutes', () => {
    expect(due(ContactTime.ANY_TIME, lateVladivostok, 'Asia/Vladivostok')).toBe(
      '2026-12-03T13:45:00.000Z',
    );
  });

  it('reads local hours correctly across a daylight-saving change', () => {
    // Berlin moves from UTC+1 to UTC+2 at 02:00 on 29 March 2026
    const nine = atLocalHour({ year: 2026, month: 3, day: 29 }, 9, 'Europe/Berlin');
    expect(nine.toISOString()).toBe('2026-03-29T07:00:00.000Z');
    expect(localParts(nine, 'Europe/Berlin').hour).toBe(9);
    expect(due(ContactTime.MORNING, '2026-03-28T22:00:00.000Z', 'Europe/Berlin')).toBe(
      '2026-03-29T07:00:00.000Z',
    );
  });
});

describe('callback task text', () => {
  it('names the guest, the contact method and the property', () => {
    const text = renderTaskText(DEFAULT_TASKS.text, {
      guestName: 'Ivan',
      contactMethod: 'WhatsApp',
      contactTime: 'in the evening',
      property: 'Flat on Tverskaya',
      number: 12,
      comment: '',
    });
    expect(text).toBe(
      'Call back Ivan by WhatsApp about Flat on Tverskaya (lead #12, in the evening)',
    );
  });

  it('finds placeholders that are not ours', () => {
    expect(unknownPlaceholders('Call {guestName} on {phone}')).toEqual(['phone']);
    expect(unknownPlaceholders(DEFAULT_TASKS.text)).toEqual([]);
  });
});
