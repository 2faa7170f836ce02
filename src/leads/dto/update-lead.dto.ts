import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsEnum, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { ContactMethod, ContactTime } from '../lead.enums';
import { COMMENT_MAX_LENGTH, normalizeEmailInput, trimString } from './create-lead.dto';
import { OptionalButNotNull } from '../../common/presence.validators';
import { NoNulText, SingleLineText } from '../../common/text.validators';

/**
 * Guest fields an admin may correct. `null` clears an optional field (phone, e-mail, comment)
 * and is refused for the others.
 */
export class UpdateLeadDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @OptionalButNotNull()
  @Transform(trimString)
  @IsString()
  @Length(1, 200)
  @SingleLineText()
  guestName?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(32)
  @SingleLineText()
  guestPhone?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(normalizeEmailInput)
  @IsString()
  @MaxLength(254)
  @SingleLineText()
  @IsEmail({}, { message: 'guestEmail must be an e-mail address' })
  guestEmail?: string | null;

  @ApiPropertyOptional({ enum: ContactMethod })
  @OptionalButNotNull()
  @IsEnum(ContactMethod)
  contactMethod?: ContactMethod;

  @ApiPropertyOptional({ enum: ContactTime })
  @OptionalButNotNull()
  @IsEnum(ContactTime)
  contactTime?: ContactTime;

  @ApiPropertyOptional({ maxLength: COMMENT_MAX_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(COMMENT_MAX_LENGTH)
  @NoNulText()
  comment?: string | null;
}
