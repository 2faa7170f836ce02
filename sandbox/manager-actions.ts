/**
 * What a manager does in amoCRM's UI: move, edit or create a lead. These bypass the API (no
 * token, no rate limit) but change data exactly like the UI would and fire the same webhooks.
 */
import {
  LEAD_FIELDS,
  PIPELINES,
  SANDBOX_FIXTURES,
  findPipeline,
  firstRegularStatus,
  mainPipeline,
  type PipelineDef,
} from './fixtures';
import type { Change, LeadRecord, LeadWrite, SandboxStore } from './store';
import type { SandboxLead } from './types';
import { Issues } from './validation/common';
import { readCustomFields } from './validation/custom-fields';

export class SandboxError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const MANAGER = SANDBOX_FIXTURES.users.manager;

export interface ManagerLeadPatch {
  name?: string;
  price?: number | null;
  customFields?: unknown;
}

export class ManagerActions {
  constructor(
    private readonly store: SandboxStore,
    private readonly emit: (changes: Change[]) => void,
  ) {}

  private lead(id: number): LeadRecord {
    const lead = this.store.leads.get(id);
    if (!lead) throw new SandboxError(404, `lead ${id} not found`);
    return lead;
  }

  /** A status id alone is enough when it belongs to one pipeline; 142/143 stay in the current one. */
  private pipelineFor(
    statusId: number,
    pipelineId: number | undefined,
    current: number,
  ): PipelineDef {
    if (pipelineId !== undefined) {
      const p = findPipeline(pipelineId);
      if (!p) throw new SandboxError(400, `pipeline ${pipelineId} not found`);
      return p;
    }
    const currentPipeline = findPipeline(current);
    if (currentPipeline?.statuses.some((s) => s.id === statusId)) return currentPipeline;
    const owner = PIPELINES.find((p) => p.statuses.some((s) => s.id === statusId));
    if (!owner) throw new SandboxError(400, `status ${statusId} not found`);
    return owner;
  }

  private checkStage(pipeline: PipelineDef, statusId: number): void {
    const status = pipeline.statuses.find((s) => s.id === statusId);
    if (!status)
      throw new SandboxError(400, `status ${statusId} is not in pipeline ${pipeline.id}`);
    if (status.type === 1)
      throw new SandboxError(400, 'a lead cannot be moved into the incoming stage');
  }

  moveLead(id: number, to: { statusId: number; pipelineId?: number }): SandboxLead {
    const lead = this.lead(id);
    if (!Number.isInteger(to.statusId)) throw new SandboxError(400, 'statusId must be an integer');
    const pipeline = this.pipelineFor(to.statusId, to.pipelineId, lead.pipeline_id);
    this.checkStage(pipeline, to.statusId);
    this.emit([
      this.store.updateLead(lead, { statusId: to.statusId, pipelineId: pipeline.id }, MANAGER),
    ]);
    return this.store.leadRead(lead, true);
  }

  /**
   * `price: null` leaves the lead without a price (webhooks then say `price=`);
   * `customFields` is in the API's `custom_fields_values` shape and validated like it.
   */
  updateLead(id: number, patch: ManagerLeadPatch): SandboxLead {
    const lead = this.lead(id);
    const write: LeadWrite = {};
    if (patch.name !== undefined) {
      if (typeof patch.name !== 'string') throw new SandboxError(400, 'name must be a string');
      write.name = patch.name;
    }
    if (patch.customFields !== undefined) {
      const issues = new Issues();
      write.customFields = readCustomFields(
        patch.customFields,
        LEAD_FIELDS,
        'customFields',
        issues,
      );
      if (issues.errors.length > 0) {
        throw new SandboxError(400, issues.errors.map((e) => `${e.path}: ${e.detail}`).join('; '));
      }
    }
    if (patch.price === null) {
      const change = this.store.updateLead(lead, write, MANAGER);
      lead.price = 0;
      lead.price_unset = true;
      if (change.kind === 'lead_updated') change.after = structuredClone(lead);
      this.emit([change]);
      return this.store.leadRead(lead, true);
    }
    if (patch.price !== undefined) {
      if (!Number.isInteger(patch.price) || patch.price < 0) {
        throw new SandboxError(400, 'price must be a non-negative integer');
      }
      write.price = patch.price;
    }
    this.emit([this.store.updateLead(lead, write, MANAGER)]);
    return this.store.leadRead(lead, true);
  }

  createLead(input: {
    name: string;
    price?: number;
    statusId?: number;
    pipelineId?: number;
  }): SandboxLead {
    if (typeof input.name !== 'string') throw new SandboxError(400, 'name must be a string');
    if (input.price !== undefined && (!Number.isInteger(input.price) || input.price < 0)) {
      throw new SandboxError(400, 'price must be a non-negative integer');
    }
    let pipeline = mainPipeline();
    if (input.statusId !== undefined) {
      pipeline = this.pipelineFor(input.statusId, input.pipelineId, pipeline.id);
    } else if (input.pipelineId !== undefined) {
      const named = findPipeline(input.pipelineId);
      if (!named) throw new SandboxError(400, `pipeline ${input.pipelineId} not found`);
      pipeline = named;
    }
    const statusId = input.statusId ?? firstRegularStatus(pipeline).id;
    this.checkStage(pipeline, statusId);
    const change = this.store.addLead({ name: input.name, price: input.price ?? 0 }, MANAGER, {
      statusId,
      pipelineId: pipeline.id,
    });
    this.emit([change]);
    if (change.kind !== 'lead_added') throw new Error('unexpected change');
    return this.store.leadRead(this.lead(change.lead.id), true);
  }
}
