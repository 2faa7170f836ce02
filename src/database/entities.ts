import { AmoOAuthState } from '../amo-crm/connection/amo-oauth-state.entity';
import { AmoToken } from '../amo-crm/connection/amo-token.entity';
import { AmoSyncJob } from '../amo-crm/sync/amo-sync-job.entity';
import { AmoWebhookEvent } from '../amo-crm/webhooks/amo-webhook-event.entity';
import { Lead } from '../leads/lead.entity';
import { Property } from '../properties/property.entity';

export const entities = [Property, Lead, AmoToken, AmoOAuthState, AmoSyncJob, AmoWebhookEvent];
