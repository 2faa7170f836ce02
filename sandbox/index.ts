/** The amoCRM sandbox: a local stand-in for amoCRM's OAuth2, API v4 and account webhooks. */
export { AmoSandbox, startSandbox, SANDBOX_DEFAULTS, type FaultState } from './sandbox';
export { SANDBOX_FIXTURES, type SandboxFixtures } from './fixtures';
export { SandboxError } from './manager-actions';
export { parseBracketParams, type ParamNode, type ParamTree } from './http';
export type * from './types';
