import { UnauthorizedException } from '@nestjs/common';
import { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';

export const SITE_KEY_HEADER = 'x-site-key';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * The property site's own server may post leads for many guests from one address; with the
 * `X-Site-Key` header it is counted as one client with its own, higher limit instead of as a
 * visitor. A header that is present but wrong is refused, so a misconfigured site notices.
 */
export class SiteKeyCheck {
  private readonly expected: Buffer | null;

  constructor(key: string | null) {
    this.expected = key ? digest(key) : null;
  }

  /** True for the site's server, false for a visitor; throws 401 on a wrong key. */
  isSite(req: Request): boolean {
    const given = req.headers[SITE_KEY_HEADER];
    if (given === undefined) return false;
    const value = Array.isArray(given) ? given.join(',') : given;
    if (!this.expected || !timingSafeEqual(digest(value), this.expected)) {
      throw new UnauthorizedException(
        this.expected
          ? 'X-Site-Key is not valid'
          : 'X-Site-Key is not accepted: no site key is configured (LEAD_FORM_SITE_KEY)',
      );
    }
    return true;
  }
}
