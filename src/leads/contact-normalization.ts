import { CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * E.164 form of a guest's phone, or null when it is not a possible number. Numbers without
 * a country code are read in the default region (a Russian site gets "8 912 …").
 */
export function normalizePhone(raw: string, defaultRegion: string): string | null {
  const input = raw.trim();
  if (!/^[+\d\s().-]{5,32}$/.test(input)) return null;
  const parsed = parsePhoneNumberFromString(input, defaultRegion as CountryCode);
  if (!parsed || !parsed.isValid()) return null;
  return parsed.number;
}

export function normalizeEmail(raw: string): string {
  return raw.trim().toLowerCase();
}
