/**
 * Ad attribution the site's form sends with a lead: the first-touch UTM tags, the page the
 * visitor came from and the ad networks' click ids. Stored with the lead as sent (only the keys
 * present) and written to amoCRM's predefined statistics fields.
 */
export const TRACKING_KEYS = [
  'utmSource',
  'utmMedium',
  'utmCampaign',
  'utmContent',
  'utmTerm',
  'referrer',
  'gclid',
  'yclid',
  'fbclid',
  'ymUid',
] as const;

export type TrackingKey = (typeof TRACKING_KEYS)[number];

export type LeadTracking = Partial<Record<TrackingKey, string>>;

/** Longest accepted value of a tracking key; the referrer is a whole URL. */
export const TRACKING_MAX_LENGTH: Record<TrackingKey, number> = {
  utmSource: 255,
  utmMedium: 255,
  utmCampaign: 255,
  utmContent: 255,
  utmTerm: 255,
  referrer: 2000,
  gclid: 255,
  yclid: 255,
  fbclid: 255,
  ymUid: 255,
};

/** Longest accepted form page address (`pageUrl`, or the Referer header it falls back to). */
export const PAGE_URL_MAX_LENGTH = 2000;

/** The present, non-empty values only; null when nothing is left. */
export function compactTracking(raw: LeadTracking | null | undefined): LeadTracking | null {
  if (!raw) return null;
  const out: LeadTracking = {};
  for (const key of TRACKING_KEYS) {
    const v = raw[key]?.trim();
    if (v) out[key] = v;
  }
  return Object.keys(out).length ? out : null;
}
