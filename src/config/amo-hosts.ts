/**
 * Where an account's consent page lives, from the host in AMO_DOMAIN. amoCRM and Kommo are one
 * platform with one API; only the hosts differ: `*.amocrm.ru` consents on www.amocrm.ru,
 * `*.kommo.com` on www.kommo.com, and the old international `*.amocrm.com` accounts are Kommo's
 * (formerly amocrm.com), so they consent on www.kommo.com too. Explicit settings win.
 */
export type AmoPlatform = 'amocrm' | 'kommo';

export interface AmoHostPreset {
  /** Host suffix of the account, e.g. `amocrm.ru`. */
  suffix: string;
  platform: AmoPlatform;
  authUrl: string;
  /** The deprecated `*.amocrm.com` hosts still answer, but new accounts are on kommo.com. */
  legacy: boolean;
}

export const AMO_HOST_PRESETS: readonly AmoHostPreset[] = [
  {
    suffix: 'amocrm.ru',
    platform: 'amocrm',
    authUrl: 'https://www.amocrm.ru/oauth',
    legacy: false,
  },
  { suffix: 'kommo.com', platform: 'kommo', authUrl: 'https://www.kommo.com/oauth', legacy: false },
  { suffix: 'amocrm.com', platform: 'kommo', authUrl: 'https://www.kommo.com/oauth', legacy: true },
];

export interface AmoHosts {
  /** null when AMO_DOMAIN is on none of the known hosts (then AMO_AUTH_URL must be set). */
  preset: AmoHostPreset | null;
  subdomain: string;
  baseUrl: string;
  authUrl: string | null;
}

/** The preset whose suffix the host ends with (`acme.kommo.com` → kommo.com), else null. */
export function presetFor(host: string): AmoHostPreset | null {
  const h = host.trim().toLowerCase().replace(/\.$/, '');
  return AMO_HOST_PRESETS.find((p) => h.endsWith(`.${p.suffix}`)) ?? null;
}

export function resolveAmoHosts(
  domain: string,
  explicit: { baseUrl?: string; authUrl?: string },
): AmoHosts {
  const preset = presetFor(domain);
  return {
    preset,
    subdomain: domain.split('.')[0].toLowerCase(),
    baseUrl: (explicit.baseUrl ?? `https://${domain}`).replace(/\/+$/, ''),
    authUrl: explicit.authUrl ?? preset?.authUrl ?? null,
  };
}

/**
 * True when a webhook's `account[subdomain]` names our account: the bare subdomain, or the
 * subdomain on any of the known hosts (an account moved from amocrm.com to kommo.com keeps it).
 */
export function isOwnSubdomain(value: string | null, domain: string): boolean {
  if (!value) return false;
  const ours = domain.split('.')[0].toLowerCase();
  const v = value.trim().toLowerCase();
  if (!v.includes('.')) return v === ours;
  const preset = presetFor(v);
  return preset !== null && v === `${ours}.${preset.suffix}`;
}
