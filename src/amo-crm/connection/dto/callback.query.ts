import { IsOptional, IsString, MaxLength } from 'class-validator';

/** What amoCRM appends to the redirect URI after the consent page. */
export class CallbackQuery {
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  code?: string;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  referer?: string;

  @IsOptional()
  @IsString()
  @MaxLength(128)
  state?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  error?: string;

  @IsOptional()
  @IsString()
  @MaxLength(128)
  client_id?: string;

  @IsOptional()
  @IsString()
  @MaxLength(16)
  from_widget?: string;

  @IsOptional()
  @IsString()
  @MaxLength(16)
  platform?: string;
}
