import { Controller, Get, Query, Res, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Response } from 'express';
import { AdminGuard } from '../../common/admin.guard';
import { ApiAdmin, ApiErrors } from '../../common/openapi';
import { AmoConnectionService, ConnectedAccount } from './amo-connection.service';
import { OAuthThrottleGuard } from './oauth-throttle.guard';
import { CallbackQuery } from './dto/callback.query';
import { DisconnectHookQuery } from './dto/disconnect-hook.query';
import {
  AuthorizeUrlSchema,
  ConnectedAccountSchema,
  DisconnectedSchema,
} from './dto/connection.schema';

@ApiTags('amoCRM')
@ApiErrors(503)
@Controller('integrations/amo-crm')
export class AmoConnectionController {
  constructor(private readonly connection: AmoConnectionService) {}

  /** 302 to amoCRM's consent page; the JSON body carries the same URL for API clients. */
  @Get('authorize')
  @UseGuards(AdminGuard)
  @ApiAdmin()
  @ApiResponse({
    status: 302,
    type: AuthorizeUrlSchema,
    description: "Redirect to amoCRM's consent page (Location header)",
    headers: { Location: { description: 'The consent URL', schema: { type: 'string' } } },
  })
  async authorize(@Res({ passthrough: true }) res: Response): Promise<{ url: string }> {
    const url = await this.connection.createAuthorizeUrl();
    res.status(302).location(url);
    return { url };
  }

  @Get('callback')
  @UseGuards(OAuthThrottleGuard)
  @ApiOkResponse({ type: ConnectedAccountSchema, description: 'Connected; tokens stored' })
  @ApiErrors(400, 403, 429, 502)
  async callback(@Query() q: CallbackQuery): Promise<ConnectedAccount> {
    return this.connection.handleCallback(q);
  }

  @Get('test')
  @UseGuards(AdminGuard)
  @ApiAdmin()
  @ApiOkResponse({ type: ConnectedAccountSchema })
  @ApiErrors(409, 502)
  async test(): Promise<ConnectedAccount> {
    return this.connection.test();
  }

  @Get('disconnect')
  @UseGuards(OAuthThrottleGuard)
  @ApiOkResponse({ type: DisconnectedSchema })
  @ApiErrors(400, 403, 429)
  async disconnect(@Query() q: DisconnectHookQuery): Promise<{ disconnected: true }> {
    return this.connection.handleDisconnectHook(q);
  }
}
