import { ApiProperty } from '@nestjs/swagger';
import { PropertyResponse } from './property.response';

/** OpenAPI description of a property as the API answers it. */
export class PropertySchema implements PropertyResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: '2-room flat, Tverskaya 7' })
  title!: string;

  @ApiProperty({ type: 'integer', example: 12500000 })
  price!: number;

  @ApiProperty({ example: 'RUB', description: 'ISO 4217' })
  currency!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}
