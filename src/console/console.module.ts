import { Module } from '@nestjs/common';
import { AdminSessions } from '../common/admin-sessions';
import { AdminSessionController } from './admin-session.controller';
import { AdminSessionService } from './admin-session.service';

/** The admin console's sign-in; the page itself is served by console-page.ts. */
@Module({
  controllers: [AdminSessionController],
  providers: [AdminSessions, AdminSessionService],
})
export class ConsoleModule {}
