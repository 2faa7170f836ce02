import { IsNumberString, IsString, MaxLength } from 'class-validator';

/** amoCRM's "access revoked" hook: GET with a signature over client_uuid|account_id. */
export class DisconnectHookQuery {
  @IsString()
  @MaxLength(128)
  client_uuid: string;

  @IsNumberString({ no_symbols: true })
  @MaxLength(20)
  account_id: string;

  @IsString()
  @MaxLength(128)
  signature: string;
}
