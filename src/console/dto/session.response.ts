import { ApiProperty } from '@nestjs/swagger';

export class SessionResponse {
  @ApiProperty({ description: 'false while ADMIN_API_KEY is not set: the console is closed' })
  enabled: boolean;

  @ApiProperty()
  signedIn: boolean;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Send it as X-CSRF-Token on every state-changing request made with the cookie',
  })
  csrfToken: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  expiresAt: string | null;
}
