import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AppConfig } from '../../config/configuration';
import { AmoCrmApiService } from '../api/amo-crm-api.service';
import { AmoMappingConfig, EffectiveMapping, resolveMapping } from './amo-mapping';
import { checkMappingNames } from './mapping-names';

function isZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const CACHE_MS = 10 * 60_000;

/** The configured mapping (validated at boot), resolved against live amoCRM data. */
@Injectable()
export class AmoMappingService {
  private readonly config: AmoMappingConfig;
  private cached: { at: number; mapping: EffectiveMapping } | null = null;

  constructor(
    private readonly api: AmoCrmApiService,
    config: ConfigService<AppConfig, true>,
  ) {
    this.config = checkMappingNames(config.get('amo', { infer: true }).mapping);
  }

  async get(force = false): Promise<EffectiveMapping> {
    if (!force && this.cached && Date.now() - this.cached.at < CACHE_MS) return this.cached.mapping;
    const [pipelines, fields, users, settings] = await Promise.all([
      this.api.pipelines(),
      this.api.leadFields(),
      this.api.users(),
      this.api.accountSettings(),
    ]);
    const mapping = resolveMapping(this.config, pipelines, fields, { users, settings }, isZone);
    this.cached = { at: Date.now(), mapping };
    return mapping;
  }
}
