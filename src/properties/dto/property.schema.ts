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

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: "The listing's agent: amoCRM user responsible for its new leads",
  })
  amoResponsibleUserId!: number | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}
