import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ThrottleStorageModule } from '../throttling/throttling.module';
import { AmoCrmApiService } from './client/amo-crm-api.service';
import { AmoCrmHttpClient } from './client/amo-crm-http.client';
import { AmoCrmController } from './amo-crm.controller';
import { AmoCrmSyncController } from './amo-crm-sync.controller';
import { SyncAdminService } from './sync/sync-admin.service';
import { AmoConnectionService } from './connection/amo-connection.service';
import { AmoOAuthState } from './connection/amo-oauth-state.entity';
import { AmoToken } from './connection/amo-token.entity';
import { AmoTokenService } from './connection/amo-token.service';
import { AmoMappingService } from './mapping/amo-mapping.service';
import { AmoSyncJob } from './sync/amo-sync-job.entity';
import { AmoSyncStateStore } from './sync/amo-sync-state.repository';
import { ContactDirectoryService } from './sync/contact-directory.service';
import { SyncDispatcherService } from './sync/sync-dispatcher.service';
import { SyncQueueModule } from './sync/sync-queue.module';
import { AmoReconciliationService } from './webhooks/amo-reconciliation.service';
import { AmoWebhookEvent } from './webhooks/amo-webhook-event.entity';
import { AmoWebhookInboxService } from './webhooks/amo-webhook-inbox.service';
import { AmoWebhookRegistrationService } from './webhooks/amo-webhook-registration.service';
import { AmoWebhookController } from './webhooks/amo-webhook.controller';
import { AmoWebhookWorker } from './webhooks/amo-webhook.worker';

@Module({
  imports: [
    HttpModule,
    SyncQueueModule,
    ThrottleStorageModule,
    TypeOrmModule.forFeature([AmoToken, AmoOAuthState, AmoSyncJob, AmoWebhookEvent]),
  ],
  controllers: [AmoCrmController, AmoCrmSyncController, AmoWebhookController],
  providers: [
    AmoCrmHttpClient,
    AmoTokenService,
    AmoCrmApiService,
    AmoConnectionService,
    AmoMappingService,
    SyncDispatcherService,
    SyncAdminService,
    AmoSyncStateStore,
    AmoWebhookWorker,
    AmoWebhookInboxService,
    AmoWebhookRegistrationService,
    AmoReconciliationService,
    ContactDirectoryService,
  ],
  exports: [AmoTokenService, AmoCrmApiService, SyncDispatcherService],
})
export class AmoCrmModule {}
