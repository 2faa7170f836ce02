import { ApiProperty } from '@nestjs/swagger';

export class StatusRowDto {
  @ApiProperty({ example: 'NEW' }) status: string;
  @ApiProperty({ type: Number, nullable: true }) pipelineId: number | null;
  @ApiProperty({ type: String, nullable: true }) pipelineName: string | null;
  @ApiProperty({ type: Number, nullable: true }) statusId: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'null: not mapped, not pushed' })
  statusName: string | null;
}

export class OptionRowDto {
  @ApiProperty({ example: 'PHONE' }) value: string;
  @ApiProperty() enumId: number;
  @ApiProperty({ type: String, nullable: true }) enumName: string | null;
}

export class FieldRowDto {
  @ApiProperty({ example: 'contactMethod' }) field: string;
  @ApiProperty({ type: Number, nullable: true }) fieldId: number | null;
  @ApiProperty({ type: String, nullable: true }) fieldName: string | null;
  @ApiProperty({ type: [OptionRowDto] }) options: OptionRowDto[];
}

export class MappingViewResponse {
  @ApiProperty({ type: [StatusRowDto] }) statuses: StatusRowDto[];
  @ApiProperty({ type: [FieldRowDto] }) fields: FieldRowDto[];
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiProperty({ type: [String], description: 'Everything the live check found wrong' })
  problems: string[];
}
