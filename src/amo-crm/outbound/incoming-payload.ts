import { Lead } from '../../leads/lead.entity';
import { AmoUnsortedFormItem } from '../api/amo-crm.types';
import { EffectiveMapping } from '../mapping/amo-mapping';
import { amoLeadName, contactFields, leadCustomFields } from './lead-payload';

/** What the incoming entry says about the form; managers see it beside the lead. */
export const INCOMING_FORM = { id: 'lead-form', name: 'Property site lead form' };

/**
 * One incoming-leads entry for a new lead: the form's metadata (page, time, visitor address,
 * the referrer the visitor came from), the lead with its custom and tracking fields and tags,
 * and a new contact. amoCRM offers a manager to merge duplicate contacts when accepting, so no
 * existing contact is named here. The entry lands in the pipeline NEW maps to.
 */
export function incomingFormItem(
  lead: Lead,
  propertyTitle: string | null,
  price: number | null,
  mapping: EffectiveMapping,
  opts: { sourceName: string; fallbackPage: string },
): AmoUnsortedFormItem {
  const pipelineId = mapping.statuses.NEW?.pipelineId;
  const cf = leadCustomFields(lead, mapping, propertyTitle);
  const contact = contactFields(lead);
  const referer = lead.tracking?.referrer;
  return {
    source_uid: lead.id,
    source_name: opts.sourceName,
    ...(pipelineId ? { pipeline_id: pipelineId } : {}),
    created_at: Math.floor(lead.createdAt.getTime() / 1000),
    metadata: {
      form_id: INCOMING_FORM.id,
      form_name: INCOMING_FORM.name,
      form_page: lead.pageUrl ?? opts.fallbackPage,
      form_sent_at: Math.floor(lead.createdAt.getTime() / 1000),
      ...(lead.clientIp ? { ip: lead.clientIp } : {}),
      ...(referer ? { referer } : {}),
    },
    _embedded: {
      leads: [
        {
          name: amoLeadName(lead, propertyTitle),
          ...(price !== null ? { price } : {}),
          ...(cf.length ? { custom_fields_values: cf } : {}),
          _embedded: { tags: mapping.tags.map((name) => ({ name })) },
        },
      ],
      contacts: [
        { name: lead.guestName, ...(contact.length ? { custom_fields_values: contact } : {}) },
      ],
    },
    request_id: lead.id,
  };
}
