import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AppConfig } from '../../config/configuration';
import { AmoCrmApiService } from '../api/amo-crm-api.service';
import { AmoAccountSettings, AmoCustomField, AmoPipeline, AmoUser } from '../api/amo-crm.types';
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
    // all four settle before a failure is reported, so none is still on its way when the
    // dispatcher reacts to it (e.g. pauses because amoCRM blocks access)
    const settled = await Promise.allSettled([
      this.api.pipelines(),
      this.api.leadFields(),
      this.api.users(),
      this.api.accountSettings(),
    ] as const);
    for (const r of settled) if (r.status === 'rejected') throw r.reason;
    const [pipelines, fields, users, settings] = settled.map(
      (r) => (r as PromiseFulfilledResult<unknown>).value,
    ) as [AmoPipeline[], AmoCustomField[], AmoUser[], AmoAccountSettings];
    const mapping = resolveMapping(this.config, pipelines, fields, { users, settings }, isZone);
    this.cached = { at: Date.now(), mapping };
    return mapping;
  }
}
