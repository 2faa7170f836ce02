import { DataSource } from 'typeorm';

/** An inbox event that is DEAD, or PENDING after a failed attempt, as the admin views list it. */
export interface FailedInboxEventRow {
  id: string;
  entity: string;
  action: string;
  amo_id: string | null;
  state: string;
  attempts: number;
  last_error: string | null;
  received_at: Date;
}

/** The newest failed inbox events, newest first. */
export function readFailedInboxEvents(
  dataSource: DataSource,
  limit: number,
): Promise<FailedInboxEventRow[]> {
  return dataSource.query(
    `SELECT id, entity, action, amo_id, state, attempts, last_error, received_at
       FROM amo_webhook_events
      WHERE state = 'DEAD' OR (state = 'PENDING' AND last_error IS NOT NULL)
      ORDER BY received_at DESC, id DESC LIMIT $1`,
    [limit],
  );
}
