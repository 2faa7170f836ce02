import { Injectable } from '@nestjs/common';
import { Lead } from '../../leads/lead.entity';
import { AmoCrmApiService } from '../api/amo-crm-api.service';
import { AmoLeadRead } from '../api/amo-crm.types';
import { EffectiveMapping } from '../mapping/amo-mapping';
import { amoLeadName } from './lead-payload';

/** Up to this many leads are looked up one search each; more are found in one listing. */
const ONE_BY_ONE_MAX = 5;
/** amoCRM's clock may be behind ours by this much (seconds). */
const CLOCK_SLACK_SEC = 300;

export interface LostCreate {
  lead: Lead;
  propertyTitle: string | null;
}

/**
 * After creates of unknown outcome (a lost answer, a crash): which of our leads amoCRM already
 * has, by our marker (our lead id in a custom field) or else the exact name. A few are looked up
 * one search each; a whole chunk or more (e.g. after a kill with requests in flight) is found by
 * listing the leads amoCRM created since the oldest of ours was made here — 250 per request
 * instead of one request per lead — and only what that listing cannot settle is searched.
 */
@Injectable()
export class LostCreateFinder {
  constructor(private readonly api: AmoCrmApiService) {}

  /** Our lead id → the amoCRM lead carrying it; absent = not in amoCRM. */
  async find(lost: LostCreate[], mapping: EffectiveMapping): Promise<Map<string, AmoLeadRead>> {
    const found = new Map<string, AmoLeadRead>();
    let unsettled = lost;
    if (lost.length > ONE_BY_ONE_MAX) unsettled = await this.fromListing(lost, mapping, found);
    for (const l of unsettled) {
      const hit = await this.search(l, mapping);
      if (hit) found.set(l.lead.id, hit);
    }
    return found;
  }

  /** Returns the leads the listing could not settle (it was cut short). */
  private async fromListing(
    lost: LostCreate[],
    mapping: EffectiveMapping,
    found: Map<string, AmoLeadRead>,
  ): Promise<LostCreate[]> {
    const oldest = Math.min(...lost.map((l) => new Date(l.lead.createdAt).getTime()));
    const from = Math.floor(oldest / 1000) - CLOCK_SLACK_SEC;
    // past this many pages, one search per lead would have been cheaper
    const maxPages = Math.ceil(lost.length / 2);
    const wanted = new Map(lost.map((l) => [this.key(l, mapping), l]));
    for (let page = 1; page <= maxPages; page++) {
      const { leads, more } = await this.api.leadsCreatedSince(from, page);
      for (const amo of leads) {
        for (const k of this.keysOf(amo, mapping)) {
          const l = wanted.get(k);
          if (l) found.set(l.lead.id, amo);
        }
      }
      if (!more) return [];
    }
    return lost.filter((l) => !found.has(l.lead.id));
  }

  private async search(l: LostCreate, mapping: EffectiveMapping): Promise<AmoLeadRead | null> {
    const key = this.key(l, mapping);
    const hits = await this.api.findLeads(mapping.fields.ourLeadId ? l.lead.id : key);
    return hits.find((amo) => this.keysOf(amo, mapping).includes(key)) ?? null;
  }

  private key(l: LostCreate, mapping: EffectiveMapping): string {
    return mapping.fields.ourLeadId ? l.lead.id : amoLeadName(l.lead, l.propertyTitle);
  }

  private keysOf(amo: AmoLeadRead, mapping: EffectiveMapping): string[] {
    const field = mapping.fields.ourLeadId;
    if (!field) return amo.name ? [amo.name] : [];
    return (amo.custom_fields_values ?? [])
      .filter((f) => f.field_id === field)
      .flatMap((f) => (f.values ?? []).map((v) => String(v.value)));
  }
}
