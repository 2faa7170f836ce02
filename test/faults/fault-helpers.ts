import { DataSource } from 'typeorm';
import { AmoSandbox, SANDBOX_FIXTURES } from '../../sandbox';
import { amoEnv } from '../helpers/amo';
import { eventually } from '../helpers/wait';
import { describeOnServer } from '../helpers/skip';

export { eventually };

export const onServer = process.env.TEST_DB_KIND === 'server';
/** Cases that need a second process or a server restart run only on a PostgreSQL server. */
export { describeOnServer };

export const MAPPING = JSON.stringify({
  fields: { ourLeadId: SANDBOX_FIXTURES.leadFields.ourLeadId },
});

export function faultEnv(
  sb: AmoSandbox,
  extra: Record<string, string> = {},
): Record<string, string | undefined> {
  return amoEnv(sb, {
    AMO_MAPPING_JSON: MAPPING,
    SYNC_POLL_INTERVAL_MS: '200',
    SYNC_LEASE_SEC: '2',
    SYNC_CONTACTS_FRESH_MS: '0',
    SYNC_BACKOFF_BASE_MS: '100',
    SYNC_BACKOFF_CAP_MS: '500',
    ...extra,
  });
}

export async function syncIdle(ds: DataSource): Promise<boolean> {
  const [{ n }]: { n: number }[] = await ds.query(
    `SELECT count(*)::int AS n FROM amo_sync_jobs WHERE state <> 'DONE'`,
  );
  return n === 0;
}

export interface LossReport {
  leads: number;
  lost: number;
  duplicated: number;
}

/**
 * Counts, for the given acknowledged leads (all local leads when omitted), how many never
 * reached amoCRM (lost: missing locally or without an amoCRM lead carrying our marker) and
 * how many reached it more than once, and prints the figures.
 */
export async function countLossAndDuplicates(
  name: string,
  ds: DataSource,
  sb: AmoSandbox,
  acknowledged?: string[],
): Promise<LossReport> {
  const local: { id: string }[] = await ds.query('SELECT id FROM leads');
  const ids = acknowledged ?? local.map((l) => l.id);
  const stored = new Set(local.map((l) => l.id));
  const markers = new Map<string, number>();
  for (const l of sb.leads()) {
    const marker = l.custom_fields_values?.find(
      (f) => f.field_id === SANDBOX_FIXTURES.leadFields.ourLeadId,
    )?.values[0].value;
    if (typeof marker === 'string') markers.set(marker, (markers.get(marker) ?? 0) + 1);
  }
  const report = {
    leads: ids.length,
    lost: ids.filter((id) => !stored.has(id) || !markers.has(id)).length,
    duplicated: ids.filter((id) => (markers.get(id) ?? 0) > 1).length,
  };
  process.stdout.write(
    `[fault] ${name}: leads ${report.leads}, lost ${report.lost}, duplicated ${report.duplicated}\n`,
  );
  return report;
}
