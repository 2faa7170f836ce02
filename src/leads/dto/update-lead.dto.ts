import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsEnum, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { ContactMethod, ContactTime } from '../lead.enums';
import { COMMENT_MAX_LENGTH, trimString } from './create-lead.dto';
import { NoNulText, SingleLineText } from '../../common/text.validators';

/** Guest fields an admin may correct. `null` clears an optional field. */
export class UpdateLeadDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
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
  @Transform(trimString)
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'guestEmail must be an e-mail address' })
  guestEmail?: string | null;

  @ApiPropertyOptional({ enum: ContactMethod })
  @IsOptional()
  @IsEnum(ContactMethod)
  contactMethod?: ContactMethod;

  @ApiPropertyOptional({ enum: ContactTime })
  @IsOptional()
  @IsEnum(ContactTime)
  contactTime?: ContactTime;

  @ApiPropertyOptional({ maxLength: COMMENT_MAX_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(COMMENT_MAX_LENGTH)
  @NoNulText()
  comment?: string | null;
}
