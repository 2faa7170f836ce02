import { Controller, Get, Header, Headers, HttpCode, Res } from '@nestjs/common';
import {
  ApiHeader,
  ApiNotModifiedResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { ATTRIBUTION_SCRIPT, ATTRIBUTION_SCRIPT_ETAG } from './attribution-script';

/**
 * The attribution snippet for the property site, one static file: the same bytes for every
 * visitor, no personal data, so browsers and CDNs may cache it.
 */
@ApiTags('snippet')
@Controller('snippet')
export class SnippetController {
  @Get('attribution.js')
  @HttpCode(200)
  @ApiProduces('application/javascript')
  @ApiHeader({ name: 'If-None-Match', required: false })
  @ApiOkResponse({
    description: 'The browser script (see docs/INCOMING-LEADS.md)',
    content: { 'application/javascript': { schema: { type: 'string' } } },
  })
  @ApiNotModifiedResponse({ description: 'The cached copy (same ETag) is current' })
  @Header('Cache-Control', 'public, max-age=3600')
  // Loaded by the site from another origin: helmet's same-origin default would block it.
  @Header('Cross-Origin-Resource-Policy', 'cross-origin')
  attribution(
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() res: Response,
  ): void {
    res.setHeader('ETag', ATTRIBUTION_SCRIPT_ETAG);
    if (ifNoneMatch?.split(',').some((t) => t.trim() === ATTRIBUTION_SCRIPT_ETAG)) {
      res.status(304).end();
      return;
    }
    res.type('application/javascript; charset=utf-8').send(ATTRIBUTION_SCRIPT);
  }
}
