import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConsumes,
  ApiOkResponse,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { AdminGuard } from '../../common/admin.guard';
import { ApiAdmin, ApiErrors } from '../../common/openapi';
import { ReconcileResultSchema, WebhookReceiptSchema } from './dto/inbound.schema';
import { AmoReconciliationService, ReconcileResult } from './amo-reconciliation.service';
import { AmoWebhookInboxService, WebhookReceipt } from './amo-webhook-inbox.service';
import { WebhookBodyPipe } from './webhook-body.pipe';
import { ParsedWebhookBody } from './webhook-body.parser';
import { WebhookSecretGuard } from './webhook-secret.guard';

@ApiTags('amoCRM')
@ApiErrors(503)
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
  @ApiOkResponse({ type: WebhookReceiptSchema, description: 'Saved; applied shortly after' })
  @ApiErrors(400, 401, 403, 413, 429)
  async receive(@Body(WebhookBodyPipe) body: ParsedWebhookBody): Promise<WebhookReceipt> {
    return this.inbox.receive(body);
  }

  /** Pulls leads changed in amoCRM since the watermark now, instead of waiting for the timer. */
  @Post('reconcile')
  @HttpCode(202)
  @UseGuards(AdminGuard)
  @ApiAdmin()
  @ApiAcceptedResponse({ type: ReconcileResultSchema })
  @ApiErrors(409, 502)
  async reconcile(): Promise<ReconcileResult> {
    return this.reconciliation.reconcileNow();
  }
}
