/**
 * Polls until the condition holds. A check that throws counts as "not yet" (the database may
 * be restarting in a fault case); the last error is reported if time runs out.
 */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  let lastError: unknown = null;
  while (Date.now() < until) {
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const why = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
  throw new Error(`condition not met within ${timeoutMs} ms${why}`);
}

export { freePort } from '../../scripts/free-port';
