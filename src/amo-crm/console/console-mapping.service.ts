import { Injectable } from '@nestjs/common';
import { LeadStatus } from '../../leads/lead.enums';
import { UpstreamError } from '../../common/domain-errors';
import { AmoCrmApiService } from '../api/amo-crm-api.service';
import { AmoCrmError } from '../client/amo-crm.error';
import { AmoMappingService } from '../mapping/amo-mapping.service';
import { FieldRowDto, MappingViewResponse } from './dto/mapping-view.response';

const FIELD_KEYS = ['ourLeadId', 'property', 'contactMethod', 'contactTime', 'source'] as const;

/** The mapping with amoCRM's names beside our values, checked live (never from the cache). */
@Injectable()
export class ConsoleMappingService {
  constructor(
    private readonly mapping: AmoMappingService,
    private readonly api: AmoCrmApiService,
  ) {}

  async view(): Promise<MappingViewResponse> {
    const [effective, liveFields] = await Promise.all([
      this.mapping.get(true),
      this.api.leadFields(),
    ]).catch((err: unknown) => {
      if (err instanceof AmoCrmError) {
        throw new UpstreamError(`Could not read the mapping from amoCRM: ${err.describe()}`);
      }
      throw err;
    });
    const byId = new Map(liveFields.map((f) => [f.id, f]));
    const statuses = Object.values(LeadStatus).map((status) => {
      const ref = effective.statuses[status];
      return {
        status,
        pipelineId: ref?.pipelineId ?? null,
        pipelineName: ref?.pipelineName ?? null,
        statusId: ref?.statusId ?? null,
        statusName: ref?.statusName ?? null,
      };
    });
    const fields: FieldRowDto[] = FIELD_KEYS.map((key) => {
      const value = effective.fields[key];
      if (value === undefined) return { field: key, fieldId: null, fieldName: null, options: [] };
      const id = typeof value === 'number' ? value : value.id;
      const live = byId.get(id);
      const enums: Record<string, number | undefined> =
        typeof value === 'number' ? {} : value.enums;
      return {
        field: key,
        fieldId: id,
        fieldName: live?.name ?? null,
        options: Object.entries(enums).flatMap(([option, enumId]) =>
          enumId === undefined
            ? []
            : [
                {
                  value: option,
                  enumId,
                  enumName: live?.enums?.find((e) => e.id === enumId)?.value ?? null,
                },
              ],
        ),
      };
    });
    return { statuses, fields, tags: effective.tags, problems: effective.problems };
  }
}
