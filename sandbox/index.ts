/** The amoCRM sandbox: a local stand-in for amoCRM's OAuth2, API v4 and account webhooks. */
export { AmoSandbox, type FaultState } from './sandbox';
export { startSandbox } from './start';
export { SANDBOX_DEFAULTS } from './defaults';
export { SANDBOX_FIXTURES, type SandboxFixtures } from './fixtures';
export { SANDBOX_HOSTS, type SandboxHost, type SandboxPlatform } from './hosts';
export type { IssuedLongLivedToken } from './long-lived-tokens';
export { SandboxError } from './manager-actions';
export { parseBracketParams, type ParamNode, type ParamTree } from './http';
export type { RateLimitScope, RefreshMode, RealismSettings } from './settings';
export type * from './types';
