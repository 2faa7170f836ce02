import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ReconcileResult } from '../amo-reconciliation.service';
import { WebhookReceipt } from '../amo-webhook-inbox.service';

/** OpenAPI descriptions of the webhook receiver's and the reconciliation's answers. */
export class WebhookReceiptSchema implements WebhookReceipt {
  @ApiProperty({ type: 'integer', description: 'Items in the delivery' })
  received!: number;

  @ApiProperty({ type: 'integer', description: 'Items new to the inbox (repeats are not)' })
  stored!: number;
}

export class ReconcileResultSchema implements ReconcileResult {
  @ApiProperty({
    type: 'integer',
    description: 'Leads amoCRM reported changed since the watermark',
  })
  fetched!: number;

  @ApiProperty({ type: 'integer', description: 'Of those, rows new to the inbox' })
  queued!: number;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'Unix seconds the next pull starts from; null when skipped',
  })
  watermark!: number | null;

  @ApiPropertyOptional({ description: 'Why nothing was pulled' })
  skipped?: string;
}
