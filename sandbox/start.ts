/** Starting a sandbox: listen first (port 0 = ephemeral), then wire the account to the server. */
import http from 'node:http';
import { SANDBOX_DEFAULTS } from './defaults';
import { AmoSandbox } from './sandbox';
import type { SandboxOptions } from './types';

export async function startSandbox(opts: SandboxOptions = {}): Promise<AmoSandbox> {
  const server = http.createServer();
  // Keep-alive sockets of test clients must not hold stop() open.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? SANDBOX_DEFAULTS.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  try {
    return new AmoSandbox(server, opts);
  } catch (err) {
    // A state file that cannot be used: nothing may keep listening.
    server.close();
    throw err;
  }
}
