import { Body, Controller, Delete, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CookieOptions, Request, Response } from 'express';
import { ApiErrors, ErrorBodySchema } from '../common/openapi';
import { AppConfig } from '../config/configuration';
import { SignInDto } from './dto/sign-in.dto';
import { SessionResponse } from './dto/session.response';
import { AdminSessionService } from './admin-session.service';
import { SESSION_COOKIE } from '../common/admin-sessions';

/**
 * The console's sign-in: the admin key, sent once in a JSON body, is exchanged for an HttpOnly,
 * SameSite=Strict cookie scoped to /api; the page keeps only the CSRF token, in memory.
 */
@ApiTags('admin console')
@Controller('admin/session')
export class AdminSessionController {
  private readonly ttlMs: number;

  constructor(
    private readonly sessions: AdminSessionService,
    config: ConfigService<AppConfig, true>,
  ) {
    this.ttlMs = config.get('app', { infer: true }).adminSessionTtlMin * 60_000;
  }

  @Get()
  @ApiOkResponse({ type: SessionResponse, description: 'Whether this browser is signed in' })
  @ApiServiceUnavailableResponse({
    type: ErrorBodySchema,
    description: 'The database is unavailable',
  })
  async current(@Req() req: Request): Promise<SessionResponse> {
    return this.sessions.current(req.headers.cookie);
  }

  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({ type: SessionResponse, description: 'Signed in; the cookie is set' })
  @ApiBadRequestResponse({
    type: ErrorBodySchema,
    description: 'No key in the body, or a query string',
  })
  @ApiUnauthorizedResponse({ type: ErrorBodySchema, description: 'Wrong key' })
  @ApiForbiddenResponse({ type: ErrorBodySchema, description: 'ADMIN_API_KEY is not set' })
  @ApiErrors(503)
  async signIn(
    @Req() req: Request,
    @Body() dto: SignInDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SessionResponse> {
    const { token, session } = await this.sessions.signIn(
      dto.key,
      req.originalUrl,
      req.headers.cookie,
    );
    res.cookie(SESSION_COOKIE, token, { ...this.cookieOptions(req), maxAge: this.ttlMs });
    res.setHeader('Cache-Control', 'no-store');
    return session;
  }

  @Delete()
  @HttpCode(200)
  @ApiOkResponse({ type: SessionResponse, description: 'Signed out; the cookie is cleared' })
  @ApiForbiddenResponse({ type: ErrorBodySchema, description: 'Missing or wrong X-CSRF-Token' })
  @ApiErrors(503)
  async signOut(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SessionResponse> {
    await this.sessions.signOut(req.headers.cookie, req.headers['x-csrf-token']);
    res.clearCookie(SESSION_COOKIE, this.cookieOptions(req));
    return this.sessions.signedOut();
  }

  /** Secure whenever the browser reached us over https (directly, or per a trusted proxy). */
  private cookieOptions(req: Request): CookieOptions {
    return { httpOnly: true, sameSite: 'strict', path: '/api', secure: req.secure };
  }
}
