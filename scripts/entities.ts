import { AmoOAuthState } from '../src/amo-crm/auth/amo-oauth-state.entity';
import { AmoToken } from '../src/amo-crm/auth/amo-token.entity';
import { AmoWebhookEvent } from '../src/amo-crm/inbound/amo-webhook-event.entity';
import { AmoSyncJob } from '../src/amo-crm/outbox/amo-sync-job.entity';
import { Lead } from '../src/leads/lead.entity';
import { Property } from '../src/properties/property.entity';

/**
 * Every entity, for the migration generator only: the app registers its entities through the
 * feature modules (`autoLoadEntities`), so the database folder depends on no feature.
 */
export const entities = [Property, Lead, AmoToken, AmoOAuthState, AmoSyncJob, AmoWebhookEvent];
