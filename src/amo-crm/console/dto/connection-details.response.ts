import { ApiProperty } from '@nestjs/swagger';

export class ManualWebhookDto {
  @ApiProperty({
    description: 'Destination to enter in amoCRM → Settings → Web hooks (has the secret)',
  })
  url: string;

  @ApiProperty({ type: [String], example: ['add_lead', 'update_lead', 'status_lead'] })
  events: string[];

  @ApiProperty({ description: 'Why it has to be entered by hand' })
  reason: string;
}

export class WebhookStateDto {
  @ApiProperty({ description: 'The last check found our webhook registered and complete' })
  registered: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  checkedAt: string | null;

  @ApiProperty({ type: String, nullable: true })
  error: string | null;

  @ApiProperty({ type: ManualWebhookDto, nullable: true })
  manual: ManualWebhookDto | null;
}

export class PauseDto {
  @ApiProperty({ format: 'date-time' })
  until: string;

  @ApiProperty()
  reason: string;
}

export class ConnectionDetailsResponse {
  @ApiProperty()
  configured: boolean;

  @ApiProperty({
    enum: ['CONNECTED', 'REAUTH_REQUIRED', 'DISCONNECTED', 'NOT_CONNECTED', 'NOT_CONFIGURED'],
  })
  state: string;

  @ApiProperty({ enum: ['OAUTH', 'LONG_LIVED'], nullable: true })
  authMode: 'OAUTH' | 'LONG_LIVED' | null;

  @ApiProperty({ type: Number, nullable: true })
  accountId: number | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Read live from amoCRM (cached 1 min)',
  })
  accountName: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'agency.amocrm.ru' })
  domain: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  tokenExpiresAt: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'A long-lived token near its expiry' })
  tokenExpiryWarning: string | null;

  @ApiProperty({ type: String, nullable: true })
  lastError: string | null;

  @ApiProperty({ type: WebhookStateDto })
  webhook: WebhookStateDto;

  @ApiProperty({ type: PauseDto, nullable: true, description: 'amoCRM blocked API access' })
  paused: PauseDto | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: "amoCRM answered 429: this instance's requests wait until then",
  })
  rateLimitedUntil: string | null;

  @ApiProperty({ description: 'Open it in the browser to connect or reconnect' })
  authorizePath: string;
}

export class DisconnectResponse {
  @ApiProperty({ enum: ['DISCONNECTED'] })
  state: 'DISCONNECTED';
}
