import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { describeError } from '../client/amo-crm.error';

/** pg advisory lock key ("amosync") held by the one active dispatcher per database. */
const LEADER_LOCK_KEY = '27417849013005923';

/**
 * One active dispatcher per database, so N instances share one rate limit instead of sending
 * N times as much: the holder of a session advisory lock drains; the others stand by and take
 * over on their next poll once the holder's connection is gone.
 *
 * The lock lives on a connection of its own, outside the pool: the lock goes when the
 * connection does. It only sends simple queries without parameters.
 */
export class DispatcherLeadership {
  private readonly logger = new Logger(DispatcherLeadership.name);
  private client: Client | null = null;
  private leading = false;
  /** Set when this instance has just become the dispatcher; read once by `tookOver`. */
  private fresh = true;

  /** `url: null` — the embedded database admits one process, which is leader by construction. */
  constructor(private readonly url: string | null) {}

  async isLeader(): Promise<boolean> {
    if (this.url === null) return true;
    if (!this.leading) this.fresh = false;
    try {
      if (!this.client) {
        const client = new Client({ connectionString: this.url });
        client.on('error', () => this.drop(client));
        await client.connect();
        this.client = client;
        this.leading = false;
      }
      if (this.leading) {
        await this.client.query('SELECT 1');
        return true;
      }
      const res = await this.client.query<{ ok: boolean }>(
        `SELECT pg_try_advisory_lock(${LEADER_LOCK_KEY}) AS ok`,
      );
      this.leading = res.rows[0]?.ok === true;
      if (this.leading) {
        this.fresh = true;
        this.logger.log('This instance now dispatches amoCRM sync jobs');
      }
      return this.leading;
    } catch (err) {
      this.logger.warn(`Leader election failed: ${describeError(err)}`);
      if (this.client) this.drop(this.client);
      return false;
    }
  }

  /**
   * True once after this instance became the dispatcher (in the embedded mode: once per
   * process, since the folder lock admits one). Whoever held the lock before is gone, so the
   * leases it held can be released at once.
   */
  tookOver(): boolean {
    if (!this.fresh) return false;
    this.fresh = false;
    return true;
  }

  /** Gives the lock up (on shutdown) by closing its connection. */
  async release(): Promise<void> {
    await this.client?.end().catch(() => undefined);
    this.client = null;
    this.leading = false;
  }

  private drop(client: Client): void {
    if (this.client === client) {
      this.client = null;
      this.leading = false;
    }
    client.end().catch(() => undefined);
  }
}
