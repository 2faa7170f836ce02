import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { readFileSync } from 'node:fs';
import { AppConfig } from '../../config/configuration';
import { AmoCrmApiService } from '../api/amo-crm-api.service';
import { AmoMappingConfig, EffectiveMapping, resolveMapping } from './amo-mapping';

const CACHE_MS = 10 * 60_000;

/** The mapping from AMO_MAPPING_FILE / AMO_MAPPING_JSON, resolved against live amoCRM data. */
@Injectable()
export class AmoMappingService {
  private readonly config: AmoMappingConfig;
  private cached: { at: number; mapping: EffectiveMapping } | null = null;

  constructor(
    private readonly api: AmoCrmApiService,
    config: ConfigService<AppConfig, true>,
  ) {
    const amo = config.get('amo', { infer: true });
    const raw = amo.mappingJson ?? (amo.mappingFile ? readFileSync(amo.mappingFile, 'utf8') : null);
    try {
      this.config = raw ? (JSON.parse(raw) as AmoMappingConfig) : {};
    } catch (err) {
      throw new Error(
        `Invalid configuration:\n  - amoCRM mapping is not valid JSON (${(err as Error).message})`,
      );
    }
  }

  async get(force = false): Promise<EffectiveMapping> {
    if (!force && this.cached && Date.now() - this.cached.at < CACHE_MS) return this.cached.mapping;
    const [pipelines, fields] = await Promise.all([this.api.pipelines(), this.api.leadFields()]);
    const mapping = resolveMapping(this.config, pipelines, fields);
    this.cached = { at: Date.now(), mapping };
    return mapping;
  }
}
