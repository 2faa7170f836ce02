import { Controller, Get, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Response } from 'express';
import { AdminGuard } from '../../common/admin.guard';
import { AmoConnectionService, ConnectedAccount } from './amo-connection.service';
import { CallbackQuery } from './dto/callback.query';
import { DisconnectHookQuery } from './dto/disconnect-hook.query';

@ApiTags('amoCRM')
@Controller('integrations/amo-crm')
export class AmoConnectionController {
  constructor(private readonly connection: AmoConnectionService) {}

  /** 302 to amoCRM's consent page; the JSON body carries the same URL for API clients. */
  @Get('authorize')
  @UseGuards(AdminGuard)
  @ApiBearerAuth()
  async authorize(@Res({ passthrough: true }) res: Response): Promise<{ url: string }> {
    const url = await this.connection.createAuthorizeUrl();
    res.status(302).location(url);
    return { url };
  }

  @Get('callback')
  async callback(@Query() q: CallbackQuery): Promise<ConnectedAccount> {
    return this.connection.handleCallback(q);
  }

  @Get('test')
  @UseGuards(AdminGuard)
  @ApiBearerAuth()
  async test(): Promise<ConnectedAccount> {
    return this.connection.test();
  }

  @Get('disconnect')
  async disconnect(@Query() q: DisconnectHookQuery): Promise<{ disconnected: true }> {
    return this.connection.handleDisconnectHook(q);
  }
}
