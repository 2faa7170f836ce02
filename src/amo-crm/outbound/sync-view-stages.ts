import { DataSource } from 'typeorm';

export interface UnmappedStagesView {
  /** Leads whose amoCRM stage has no status in the mapping (the local status was kept). */
  count: number;
  /** The latest of them, newest first. */
  leads: {
    leadId: string;
    number: number;
    amoLeadId: number | null;
    pipelineId: number | null;
    statusId: number;
    since: string;
  }[];
}

/** For the sync view: leads left on an amoCRM stage the mapping does not know. */
export async function readUnmappedStages(ds: DataSource): Promise<UnmappedStagesView> {
  const [{ n }]: { n: number }[] = await ds.query(
    `SELECT count(*)::int AS n FROM leads WHERE unmapped_status_id IS NOT NULL`,
  );
  const rows: {
    id: string;
    number: number;
    amo_lead_id: string | null;
    unmapped_pipeline_id: string | null;
    unmapped_status_id: string;
    unmapped_since: Date;
  }[] = await ds.query(
    `SELECT id, number, amo_lead_id, unmapped_pipeline_id, unmapped_status_id, unmapped_since
       FROM leads WHERE unmapped_status_id IS NOT NULL
      ORDER BY unmapped_since DESC LIMIT 20`,
  );
  return {
    count: n,
    leads: rows.map((r) => ({
      leadId: r.id,
      number: r.number,
      amoLeadId: r.amo_lead_id === null ? null : Number(r.amo_lead_id),
      pipelineId: r.unmapped_pipeline_id === null ? null : Number(r.unmapped_pipeline_id),
      statusId: Number(r.unmapped_status_id),
      since: new Date(r.unmapped_since).toISOString(),
    })),
  };
}
