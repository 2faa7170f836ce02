/**
 * Which platform the sandbox answers as. amoCRM (`*.amocrm.ru`, consent on www.amocrm.ru) and
 * Kommo (`*.kommo.com`, consent on www.kommo.com) are one API on different hosts
 * (amocrm-api.md §1, §14.7): the account's base domain, the `referer` of the consent redirect,
 * `account[_links][self]` in webhooks, the subdomain lookup's `top_level_domain` and the
 * tokens' `base_domain` follow the choice. Everything else is the same.
 */
export type SandboxPlatform = 'amocrm' | 'kommo';

export interface SandboxHost {
  platform: SandboxPlatform;
  /** The account lives at `<subdomain>.<suffix>`. */
  suffix: string;
  topLevelDomain: string;
  /** The consent page of the real platform, which the sandbox's `/oauth` stands in for. */
  consentPage: string;
  /** The `api_domain` claim of access tokens; Kommo's value is **assumed**. */
  apiDomain: string;
  /** Text of the consent screen's "integration not found" page. */
  unknownIntegrationText: string;
}

export const SANDBOX_HOSTS: Record<SandboxPlatform, SandboxHost> = {
  amocrm: {
    platform: 'amocrm',
    suffix: 'amocrm.ru',
    topLevelDomain: 'ru',
    consentPage: 'https://www.amocrm.ru/oauth',
    apiDomain: 'api-b.amocrm.ru',
    unknownIntegrationText: 'Интеграция не найдена',
  },
  kommo: {
    platform: 'kommo',
    suffix: 'kommo.com',
    topLevelDomain: 'com',
    consentPage: 'https://www.kommo.com/oauth',
    apiDomain: 'api-c.kommo.com',
    unknownIntegrationText: 'Integration not found',
  },
};

export function sandboxHost(platform: string | undefined): SandboxHost {
  if (platform === undefined) return SANDBOX_HOSTS.amocrm;
  if (platform !== 'amocrm' && platform !== 'kommo') {
    throw new Error(`sandbox platform must be amocrm or kommo, got "${platform}"`);
  }
  return SANDBOX_HOSTS[platform];
}
