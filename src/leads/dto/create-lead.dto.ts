import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsEmail,
  IsEnum,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsObject,
  IsUUID,
  Length,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { ContactMethod, ContactTime } from '../lead.enums';
import { NoNulText, SingleLineText } from '../../common/text.validators';
import { PAGE_URL_MAX_LENGTH } from '../lead-tracking';
import { LeadTrackingDto } from './lead-tracking.dto';

export const trimString = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() : value;

/**
 * E-mails are stored lower-cased, and lower-casing can lengthen a string (`İ` becomes two code
 * units), so length limits are checked on the stored form.
 */
export const normalizeEmailInput = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;

export const COMMENT_MAX_LENGTH = 2000;

/**
 * The public lead form. A phone is required unless the guest asked to be contacted by
 * e-mail, in which case the e-mail is required instead.
 */
export class CreateLeadDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'propertyId must be a UUID' })
  propertyId: string;

  @ApiProperty({ example: 'Ivan Petrov', maxLength: 200 })
  @Transform(trimString)
  @IsString()
  @Length(1, 200)
  @SingleLineText()
  guestName: string;

  @ApiPropertyOptional({ example: '+7 912 345-67-89', description: 'Stored in E.164' })
  @ValidateIf((o: CreateLeadDto) => o.contactMethod !== ContactMethod.EMAIL || o.guestPhone != null)
  @IsString()
  @IsNotEmpty()
  @MaxLength(32)
  @SingleLineText()
  guestPhone?: string;

  @ApiPropertyOptional({ example: 'ivan@example.com', description: 'Stored lower-cased' })
  @ValidateIf((o: CreateLeadDto) => o.contactMethod === ContactMethod.EMAIL || o.guestEmail != null)
  @Transform(normalizeEmailInput)
  @IsString()
  @MaxLength(254)
  @SingleLineText()
  @IsEmail({}, { message: 'guestEmail must be an e-mail address' })
  guestEmail?: string;

  @ApiProperty({ enum: ContactMethod })
  @IsEnum(ContactMethod)
  contactMethod: ContactMethod;

  @ApiPropertyOptional({ enum: ContactTime, default: ContactTime.ANY_TIME })
  @IsOptional()
  @IsEnum(ContactTime)
  contactTime?: ContactTime;

  @ApiPropertyOptional({ maxLength: COMMENT_MAX_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(COMMENT_MAX_LENGTH)
  @NoNulText()
  comment?: string;

  @ApiPropertyOptional({
    type: LeadTrackingDto,
    description: 'First-touch ad attribution (see GET /api/snippet/attribution.js)',
  })
  @IsOptional()
  @IsObject({ message: 'tracking must be an object' })
  @ValidateNested()
  @Type(() => LeadTrackingDto)
  tracking?: LeadTrackingDto;

  @ApiPropertyOptional({
    example: 'https://example.com/flats/tverskaya-7',
    maxLength: PAGE_URL_MAX_LENGTH,
    description: "The form's page; defaults to the request's Referer header",
  })
  @IsOptional()
  @Transform(trimString)
  @IsString()
  @MaxLength(PAGE_URL_MAX_LENGTH)
  @SingleLineText()
  pageUrl?: string;
}
