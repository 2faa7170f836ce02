/**
 * Wall-clock time in a named time zone, without a date library: Intl gives a zone's offset at
 * an instant; a local time is found by trying the offset and correcting once (enough across a
 * daylight-saving change, where a missing local hour moves forward).
 */

export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's local date and time at an instant. */
export function localParts(
  at: Date,
  zone: string,
): LocalDate & { hour: number; minute: number; second: number } {
  const parts = Object.fromEntries(
    formatter(zone)
      .formatToParts(at)
      .filter((p) => p.type !== 'literal')
      .map((p) => [p.type, Number(p.value)]),
  ) as Record<string, number>;
  return {
    year: parts.year,
    month: parts.month,
    day: parts.day,
    hour: parts.hour,
    minute: parts.minute,
    second: parts.second,
  };
}

/** Milliseconds the zone is ahead of UTC at an instant. */
export function zoneOffsetMs(at: Date, zone: string): number {
  const p = localParts(at, zone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant when the zone's clock shows `hour`:00 on that local date. */
export function atLocalHour(date: LocalDate, hour: number, zone: string): Date {
  const wall = Date.UTC(date.year, date.month - 1, date.day, hour);
  const first = wall - zoneOffsetMs(new Date(wall), zone);
  return new Date(wall - zoneOffsetMs(new Date(first), zone));
}

/** The local date `days` after the given one. */
export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Whether Node knows the zone (amoCRM sends IANA names such as `Europe/Moscow`). */
export function isKnownZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}
