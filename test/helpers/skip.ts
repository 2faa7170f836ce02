/**
 * Tests that cannot run in this setup are skipped with the reason in their name, so Jest's
 * output says why ("… [skipped: needs a PostgreSQL server …]") instead of a bare "skipped".
 */
export const NEEDS_SERVER =
  'needs a PostgreSQL server (DATABASE_URL): the embedded database serves one process';

function label(name: string, reason: string): string {
  return `${name} [skipped: ${reason}]`;
}

/** `it`, or a skip naming `reason` when `reason` is not null. */
export function itUnless(
  reason: string | null,
): (name: string, fn: jest.ProvidesCallback, timeout?: number) => void {
  if (reason === null) return (name, fn, timeout) => it(name, fn, timeout);
  return (name, fn, timeout) => it.skip(label(name, reason), fn, timeout);
}

/** `describe`, or a skip naming `reason` when `reason` is not null. */
export function describeUnless(reason: string | null): (name: string, fn: () => void) => void {
  if (reason === null) return (name, fn) => describe(name, fn);
  return (name, fn) => describe.skip(label(name, reason), fn);
}

const onServer = (): boolean => process.env.TEST_DB_KIND === 'server';

/** A case that needs a second process on one database. */
export const itOnServer = (name: string, fn: jest.ProvidesCallback, timeout?: number): void =>
  itUnless(onServer() ? null : NEEDS_SERVER)(name, fn, timeout);

export const describeOnServer = (name: string, fn: () => void): void =>
  describeUnless(onServer() ? null : NEEDS_SERVER)(name, fn);
