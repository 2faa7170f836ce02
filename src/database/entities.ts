import { AmoOAuthState } from '../amo-crm/auth/amo-oauth-state.entity';
import { AmoToken } from '../amo-crm/auth/amo-token.entity';
import { AmoSyncJob } from '../amo-crm/outbox/amo-sync-job.entity';
import { AmoWebhookEvent } from '../amo-crm/inbound/amo-webhook-event.entity';
import { Lead } from '../leads/lead.entity';
import { Property } from '../properties/property.entity';

export const entities = [Property, Lead, AmoToken, AmoOAuthState, AmoSyncJob, AmoWebhookEvent];
