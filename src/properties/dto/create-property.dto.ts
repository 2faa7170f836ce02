import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { SingleLineText } from '../../common/text.validators';

const trim = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() : value;

export class CreatePropertyDto {
  @ApiProperty({ example: 'Two-room flat on Tverskaya, 54 m²', maxLength: 200 })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  @SingleLineText()
  title: string;

  @ApiProperty({ example: 12500000, minimum: 0, description: 'Whole currency units' })
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  price: number;

  @ApiPropertyOptional({ example: 'RUB', description: 'ISO 4217; defaults to DEFAULT_CURRENCY' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as RUB' })
  currency?: string;
}
