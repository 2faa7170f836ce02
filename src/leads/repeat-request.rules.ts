import { LeadStatus } from './lead.enums';

/** A local lead that a new request might repeat. */
export interface RepeatCandidate {
  id: string;
  propertyId: string | null;
  guestPhone: string | null;
  guestEmail: string | null;
  status: LeadStatus;
  repeatOf: string | null;
  createdAt: Date;
}

export interface NewRequest {
  propertyId: string | null;
  /** already normalized: E.164 phone, lower-cased e-mail */
  guestPhone: string | null;
  guestEmail: string | null;
}

const CLOSED = new Set([LeadStatus.WON, LeadStatus.LOST]);

/**
 * A new request repeats an open lead of the same property whose normalized phone or e-mail
 * is the same and which is at most `windowDays` old; the newest such lead wins. A closed deal
 * (WON/LOST), another property, or a lead that is itself a repeat, never does.
 */
export function findRepeatOriginal(
  request: NewRequest,
  candidates: RepeatCandidate[],
  now: Date,
  windowDays: number,
): RepeatCandidate | null {
  if (windowDays <= 0 || !request.propertyId) return null;
  const since = now.getTime() - windowDays * 86_400_000;
  const matches = candidates.filter(
    (c) =>
      c.propertyId === request.propertyId &&
      c.repeatOf === null &&
      !CLOSED.has(c.status) &&
      c.createdAt.getTime() >= since &&
      ((!!request.guestPhone && c.guestPhone === request.guestPhone) ||
        (!!request.guestEmail && c.guestEmail === request.guestEmail)),
  );
  matches.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  return matches[0] ?? null;
}
