import { LeadTracking, TRACKING_KEYS, TrackingKey } from '../../leads/lead-tracking';
import { AmoCustomField, AmoCustomFieldValueWrite } from '../api/amo-crm.types';

/**
 * amoCRM's predefined statistics fields (type `tracking_data`, API-only) are found by their
 * `field_code`; their ids differ per account. UTM_*, _YM_UID and YCLID are the codes seen in real
 * accounts; GCLID and FBCLID follow the same upper-case pattern.
 */
export const TRACKING_FIELD_CODES: Record<TrackingKey, string> = {
  utmSource: 'UTM_SOURCE',
  utmMedium: 'UTM_MEDIUM',
  utmCampaign: 'UTM_CAMPAIGN',
  utmContent: 'UTM_CONTENT',
  utmTerm: 'UTM_TERM',
  referrer: 'UTM_REFERRER',
  gclid: 'GCLID',
  yclid: 'YCLID',
  fbclid: 'FBCLID',
  ymUid: '_YM_UID',
};

export interface TrackingFieldsMapping {
  /** Our tracking key → the account's field id. */
  fields: Partial<Record<TrackingKey, { id: number; code: string }>>;
  /** Codes the account has no field for: those values stay on our lead only. */
  missing: string[];
}

export function resolveTrackingFields(fields: AmoCustomField[]): TrackingFieldsMapping {
  const byCode = new Map(
    fields.filter((f) => typeof f.code === 'string').map((f) => [f.code as string, f]),
  );
  const out: TrackingFieldsMapping = { fields: {}, missing: [] };
  for (const key of TRACKING_KEYS) {
    const code = TRACKING_FIELD_CODES[key];
    const field = byCode.get(code);
    if (field) out.fields[key] = { id: field.id, code };
    else out.missing.push(code);
  }
  return out;
}

/** The lead's tracking values for the fields the account has. */
export function trackingFieldValues(
  tracking: LeadTracking | null,
  mapping: TrackingFieldsMapping | undefined,
): AmoCustomFieldValueWrite[] {
  if (!tracking || !mapping) return [];
  const out: AmoCustomFieldValueWrite[] = [];
  for (const key of TRACKING_KEYS) {
    const value = tracking[key];
    const field = mapping.fields[key];
    if (value && field) out.push({ field_id: field.id, values: [{ value }] });
  }
  return out;
}
