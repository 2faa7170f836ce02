import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { OptionalButNotNull } from '../../common/presence.validators';
import { SingleLineText } from '../../common/text.validators';

const trim = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() : value;

/**
 * Every property field is required, so a PATCH may leave one out but never set it to null.
 * Written out rather than PartialType(CreatePropertyDto), whose IsOptional lets null through.
 */
export class UpdatePropertyDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @OptionalButNotNull()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  @SingleLineText()
  title?: string;

  @ApiPropertyOptional({ minimum: 0, description: 'Whole currency units' })
  @OptionalButNotNull()
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  price?: number;

  @ApiPropertyOptional({ description: 'ISO 4217' })
  @OptionalButNotNull()
  @IsString()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as RUB' })
  currency?: string;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    example: 9000003,
    description:
      "The listing's agent: amoCRM user id responsible for this property's new leads; null clears it",
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  amoResponsibleUserId?: number | null;
}
