import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

class FieldErrorDto {
  @ApiProperty({ example: 'key' })
  field: string;

  @ApiProperty({ type: [String] })
  messages: string[];
}

/** The one error shape, as OpenAPI documents it for every error response. */
export class ErrorBodyDto {
  @ApiProperty({ example: 401 })
  statusCode: number;

  @ApiProperty({ example: 'Missing admin bearer token' })
  message: string;

  @ApiPropertyOptional({ type: [FieldErrorDto] })
  errors?: FieldErrorDto[];
}
