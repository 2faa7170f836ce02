/**
 * Preloaded into an app child only when it is profiled: V8 writes a `--cpu-prof` profile on a
 * normal exit, and the default SIGTERM action is not one.
 */
process.once('SIGTERM', () => process.exit(0));
