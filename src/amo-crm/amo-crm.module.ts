import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ThrottleStorageModule } from '../throttling/throttling.module';
import { AmoCrmApiService } from './api/amo-crm-api.service';
import { AmoCrmHttpClient } from './client/amo-crm-http.client';
import { AmoConnectionController } from './connection/amo-connection.controller';
import { SyncAdminController } from './outbound/sync-admin.controller';
import { SyncAdminService } from './outbound/sync-admin.service';
import { AmoConnectionEvents } from './connection/amo-connection.events';
import { AmoConnectionService } from './connection/amo-connection.service';
import { AmoOAuthState } from './auth/amo-oauth-state.entity';
import { AmoToken } from './auth/amo-token.entity';
import { AmoTokenService } from './auth/amo-token.service';
import { LongLivedTokenStore } from './auth/long-lived-token.store';
import { LongLivedTokenConnector } from './connection/long-lived-token.connector';
import { AmoMappingService } from './mapping/amo-mapping.service';
import { AmoSyncJob } from './outbox/amo-sync-job.entity';
import { AmoSyncStateStore } from '../database/amo-sync-state.repository';
import { ContactDirectoryService } from './outbound/contact-directory.service';
import { SyncDispatcherService } from './outbound/sync-dispatcher.service';
import { SyncJobsRepository } from './outbound/sync-jobs.repository';
import { SyncJobFailures } from './outbound/sync-job-failures.service';
import { AmoOutageGate } from './outbound/amo-outage.gate';
import { LostCreateFinder } from './outbound/lost-create-finder';
import { SyncPauseStore } from './outbound/sync-pause.store';
import { SyncRecoveryRepository } from './outbound/sync-recovery.repository';
import { CreateLeadsStep } from './outbound/create-leads.step';
import { CreateIncomingLeadsStep } from './outbound/create-incoming-leads.step';
import { IncomingJobsGate } from './outbound/incoming-jobs.gate';
import { PatchLeadsStep } from './outbound/patch-leads.step';
import { AddNotesStep } from './outbound/add-notes.step';
import { AddTasksStep } from './outbound/add-tasks.step';
import { TaskJobsRepository } from './outbound/callback-task.jobs';
import { JoinRepeatStep } from './outbound/join-repeat.step';
import { ManagerAssignmentService } from './outbound/manager-assignment.service';
import { SyncQueueModule } from './outbox/sync-queue.module';
import { AmoReconciliationService } from './inbound/amo-reconciliation.service';
import { AmoWebhookEvent } from './inbound/amo-webhook-event.entity';
import { AmoWebhookInboxService } from './inbound/amo-webhook-inbox.service';
import { AmoWebhookRegistrationService } from './inbound/amo-webhook-registration.service';
import { AmoWebhookController } from './inbound/amo-webhook.controller';
import { AmoWebhookWorker } from './inbound/amo-webhook.worker';
import { ConsoleAdminController } from './console/console-admin.controller';
import { ConsoleConnectionService } from './console/console-connection.service';
import { ConsoleFailuresService } from './console/console-failures.service';
import { ConsoleMappingService } from './console/console-mapping.service';

@Module({
  imports: [
    HttpModule,
    SyncQueueModule,
    ThrottleStorageModule,
    TypeOrmModule.forFeature([AmoToken, AmoOAuthState, AmoSyncJob, AmoWebhookEvent]),
  ],
  controllers: [
    AmoConnectionController,
    SyncAdminController,
    AmoWebhookController,
    ConsoleAdminController,
  ],
  providers: [
    AmoCrmHttpClient,
    AmoTokenService,
    LongLivedTokenStore,
    LongLivedTokenConnector,
    AmoCrmApiService,
    AmoConnectionService,
    AmoConnectionEvents,
    AmoMappingService,
    SyncDispatcherService,
    SyncAdminService,
    AmoSyncStateStore,
    AmoWebhookWorker,
    AmoWebhookInboxService,
    // on "connected", reconciliation starts its watermark before the webhook is registered
    AmoReconciliationService,
    AmoWebhookRegistrationService,
    ContactDirectoryService,
    SyncJobsRepository,
    SyncJobFailures,
    SyncRecoveryRepository,
    SyncPauseStore,
    AmoOutageGate,
    LostCreateFinder,
    CreateLeadsStep,
    CreateIncomingLeadsStep,
    IncomingJobsGate,
    PatchLeadsStep,
    AddNotesStep,
    ConsoleConnectionService,
    ConsoleFailuresService,
    ConsoleMappingService,
    AddTasksStep,
    JoinRepeatStep,
    ManagerAssignmentService,
    TaskJobsRepository,
  ],
  exports: [AmoTokenService, AmoCrmApiService, SyncDispatcherService],
})
export class AmoCrmModule {}
