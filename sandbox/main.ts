/** `npm run sandbox`: a long-running sandbox for trying the integration by hand. */
import { startSandbox } from './index';

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  }
  return value;
}

function platformFromEnv(): 'amocrm' | 'kommo' | undefined {
  const raw = process.env.SANDBOX_PLATFORM;
  if (raw === undefined || raw === '') return undefined;
  if (raw !== 'amocrm' && raw !== 'kommo') {
    throw new Error(`SANDBOX_PLATFORM must be amocrm or kommo, got "${raw}"`);
  }
  return raw;
}

async function main(): Promise<void> {
  const sandbox = await startSandbox({
    port: intFromEnv('SANDBOX_PORT', 3100),
    accountId: process.env.SANDBOX_ACCOUNT_ID ? intFromEnv('SANDBOX_ACCOUNT_ID', 0) : undefined,
    clientId: process.env.SANDBOX_CLIENT_ID || undefined,
    clientSecret: process.env.SANDBOX_CLIENT_SECRET || undefined,
    redirectUri: process.env.SANDBOX_REDIRECT_URI || undefined,
    platform: platformFromEnv(),
  });
  const consent = new URL('/oauth', sandbox.url);
  consent.searchParams.set('client_id', sandbox.clientId);
  consent.searchParams.set('state', 'manual');
  const lines = [
    'amoCRM sandbox is running',
    `  URL (AMO_BASE_URL):  ${sandbox.url}`,
    `  page:                ${sandbox.url}/`,
    `  base domain:         ${sandbox.baseDomain}`,
    `  account id:          ${sandbox.accountId}`,
    `  client id:           ${sandbox.clientId}`,
    `  client secret:       ${sandbox.clientSecret}`,
    `  redirect URI:        ${sandbox.redirectUri}`,
    `  consent URL:         ${consent.toString()}`,
    `  authorization code:  ${sandbox.issueAuthCode()}`,
    '  (the code is valid for 20 minutes and works once; POST /_sandbox/auth-code for another)',
    `  long-lived token:    ${sandbox.issueLongLivedToken().token}`,
    '  (valid for a year, as AMO_LONG_LIVED_TOKEN; POST /_sandbox/long-lived-token for another)',
  ];
  console.log(lines.join('\n'));
  const shutdown = (): void => {
    void sandbox.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
