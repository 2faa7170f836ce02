import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '../../common/admin.guard';
import { AmoReconciliationService, ReconcileResult } from './amo-reconciliation.service';
import { AmoWebhookInboxService, WebhookReceipt } from './amo-webhook-inbox.service';
import { WebhookBodyPipe } from './webhook-body.pipe';
import { ParsedWebhookBody } from './webhook-body.parser';
import { WebhookSecretGuard } from './webhook-secret.guard';

@ApiTags('amoCRM')
@Controller('integrations/amo-crm')
export class AmoWebhookController {
  constructor(
    private readonly inbox: AmoWebhookInboxService,
    private readonly reconciliation: AmoReconciliationService,
  ) {}

  /** amoCRM's account webhook: stored, answered at once, applied by the worker. */
  @Post('webhook')
  @HttpCode(200)
  @UseGuards(WebhookSecretGuard)
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiQuery({ name: 'secret', required: true })
  async receive(@Body(WebhookBodyPipe) body: ParsedWebhookBody): Promise<WebhookReceipt> {
    return this.inbox.receive(body);
  }

  /** Pulls leads changed in amoCRM since the watermark now, instead of waiting for the timer. */
  @Post('reconcile')
  @HttpCode(202)
  @UseGuards(AdminGuard)
  @ApiBearerAuth()
  async reconcile(): Promise<ReconcileResult> {
    return this.reconciliation.reconcileNow();
  }
}
