import { AddressInfo, createServer } from 'node:net';

/**
 * A loopback port that is free now, for a server that must know its address before listening.
 * Shared by the tests and the benchmarks, so neither imports the other's helpers.
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
