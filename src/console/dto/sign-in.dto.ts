import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class SignInDto {
  @ApiProperty({ description: 'ADMIN_API_KEY; sent in the body, never in the URL' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  key: string;
}
