import { ApiProperty } from '@nestjs/swagger';
import { AmoAuthMode } from '../../../config/amo-connection-mode';
import { ConnectedAccount } from '../amo-connection.service';

/** OpenAPI descriptions of the connection routes' answers. */
export class ConnectedAccountSchema implements ConnectedAccount {
  @ApiProperty({ enum: [true] })
  connected!: true;

  @ApiProperty({ type: 'integer', example: 31234567 })
  accountId!: number;

  @ApiProperty({ example: 'Example Realty' })
  name!: string;

  @ApiProperty({ example: 'examplerealty' })
  subdomain!: string;

  @ApiProperty({ enum: ['OAUTH', 'LONG_LIVED'], description: 'How access is held' })
  authMode!: AmoAuthMode;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  tokenExpiresAt!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Set from 14 days before a long-lived token expires',
  })
  tokenExpiryWarning!: string | null;
}

export class AuthorizeUrlSchema {
  @ApiProperty({ description: "amoCRM's consent page, the same URL as the Location header" })
  url!: string;
}

export class DisconnectedSchema {
  @ApiProperty({ enum: [true] })
  disconnected!: true;
}
