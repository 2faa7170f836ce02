/**
 * Which way the backend holds amoCRM access, decided once at boot from the variables set:
 * OAuth (AMO_CLIENT_ID, AMO_CLIENT_SECRET, AMO_REDIRECT_URI; tokens come from the consent
 * callback and are refreshed) or a private integration's long-lived token
 * (AMO_LONG_LIVED_TOKEN; no code exchange, no refresh). Exactly one may be configured; both, or
 * a half-set one, stop the boot with one message saying what to set or unset.
 */
export type AmoAuthMode = 'OAUTH' | 'LONG_LIVED';

export const OAUTH_KEYS = ['AMO_CLIENT_ID', 'AMO_CLIENT_SECRET', 'AMO_REDIRECT_URI'] as const;
export const LONG_LIVED_KEYS = ['AMO_LONG_LIVED_TOKEN'] as const;
export const COMMON_KEYS = ['AMO_DOMAIN', 'AMO_ACCOUNT_ID'] as const;

type AmoKey =
  (typeof OAUTH_KEYS)[number] | (typeof LONG_LIVED_KEYS)[number] | (typeof COMMON_KEYS)[number];

/** null: no amoCRM variable is set, the backend runs without the integration. */
export function decideAmoAuthMode(env: Partial<Record<AmoKey, unknown>>): AmoAuthMode | null {
  const isSet = (k: AmoKey): boolean => env[k] !== undefined;
  const oauthSet = OAUTH_KEYS.filter(isSet);
  const longLived = LONG_LIVED_KEYS.every(isSet);
  const commonMissing = COMMON_KEYS.filter((k) => !isSet(k));
  if (!oauthSet.length && !longLived && commonMissing.length === COMMON_KEYS.length) return null;

  const fail = (why: string): never => {
    throw new Error(`Invalid configuration:\n  - ${why}`);
  };
  if (longLived && oauthSet.length) {
    fail(
      `amoCRM is configured twice: AMO_LONG_LIVED_TOKEN and the OAuth settings ` +
        `(${oauthSet.join(', ')}) are both set. Choose one mode: keep AMO_LONG_LIVED_TOKEN ` +
        `for a private integration's long-lived token and unset ${oauthSet.join(', ')}, or ` +
        'unset AMO_LONG_LIVED_TOKEN to connect through OAuth',
    );
  }
  const mode: AmoAuthMode | null = longLived
    ? 'LONG_LIVED'
    : oauthSet.length === OAUTH_KEYS.length
      ? 'OAUTH'
      : null;
  if (!mode) {
    const oauthMissing = OAUTH_KEYS.filter((k) => !isSet(k));
    fail(
      'amoCRM is partly configured and neither connection mode is complete: for OAuth also ' +
        `set ${oauthMissing.join(', ')}; for a private integration's long-lived token set ` +
        `AMO_LONG_LIVED_TOKEN${oauthSet.length ? ` and unset ${oauthSet.join(', ')}` : ''}` +
        `${commonMissing.length ? `; either way also set ${commonMissing.join(', ')}` : ''} ` +
        '(or unset all AMO_* variables to run without the integration)',
    );
  }
  if (commonMissing.length) {
    fail(
      `amoCRM is partly configured; also set ${commonMissing.join(', ')} ` +
        '(or unset all AMO_* variables to run without the integration)',
    );
  }
  return mode;
}
