import { Logger } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { Client } from 'pg';
import { describeError } from '../client/amo-crm.error';

/** First half of the two-key advisory locks that say "this webhook worker is alive" ("amow"). */
export const PRESENCE_LOCK_CLASS = 0x616d6f77;

/**
 * Tells other instances that this process's webhook worker is alive, so that the inbox rows it
 * claimed are released the moment it is gone instead of when their lease ends. Each process
 * holds a session advisory lock (PRESENCE_LOCK_CLASS, key) on a connection of its own, outside
 * the pool, and writes `key` into the rows it claims; a RUNNING row whose key has no granted
 * lock in `pg_locks` belongs to a dead process. The lock goes when the connection does, so a
 * SIGKILL releases it at once.
 *
 * The embedded database admits one process (its folder is locked), so there every row claimed
 * under another key is from a process that has ended, and no lock is needed.
 */
export class WorkerPresence {
  private readonly logger = new Logger(WorkerPresence.name);
  private client: Client | null = null;
  private held = false;
  private _key = randomInt(1, 2 ** 31 - 1);

  /** `url: null` — the embedded database. */
  constructor(private readonly url: string | null) {}

  get key(): number {
    return this._key;
  }

  /** Whether other processes may share the database (and so the check goes through pg_locks). */
  get shared(): boolean {
    return this.url !== null;
  }

  /** True while the lock is held (always on the embedded database); takes it when it is not. */
  async hold(): Promise<boolean> {
    if (this.url === null) return true;
    try {
      if (!this.client) {
        const client = new Client({ connectionString: this.url });
        client.on('error', () => this.drop(client));
        await client.connect();
        this.client = client;
        this.held = false;
      }
      if (this.held) {
        await this.client.query('SELECT 1');
        return true;
      }
      for (let tries = 0; tries < 3 && !this.held; tries++) {
        const res = await this.client.query<{ ok: boolean }>(
          `SELECT pg_try_advisory_lock(${PRESENCE_LOCK_CLASS}, ${this._key}) AS ok`,
        );
        this.held = res.rows[0]?.ok === true;
        // another process drew the same key: rows it claimed must not look like ours
        if (!this.held) this._key = randomInt(1, 2 ** 31 - 1);
      }
      return this.held;
    } catch (err) {
      this.logger.warn(`Webhook worker presence lock failed: ${describeError(err)}`);
      if (this.client) this.drop(this.client);
      return false;
    }
  }

  /** Gives the lock up (on shutdown) by closing its connection. */
  async release(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.held = false;
    await client?.end().catch(() => undefined);
  }

  private drop(client: Client): void {
    if (this.client === client) {
      this.client = null;
      this.held = false;
    }
    client.end().catch(() => undefined);
  }
}
