import { isIP } from 'node:net';
import { singleLineProblem } from '../common/text.validators';
import { PAGE_URL_MAX_LENGTH } from './lead-tracking';

/** What the request itself tells about a form post: the client address and the Referer. */
export interface LeadOrigin {
  ip?: string;
  referer?: string;
}

/**
 * The form page when the form did not send `pageUrl`: the browser's Referer, if it is a plain
 * http(s) address of sane length. A header the browser made up is not the guest's input, so an
 * unusable one is not an error; the lead just has no form page.
 */
export function formPageFromReferer(referer: string | undefined): string | null {
  const value = referer?.trim();
  if (!value || value.length > PAGE_URL_MAX_LENGTH || singleLineProblem(value)) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? value : null;
  } catch {
    return null;
  }
}

/** Express's `req.ip` (already resolved through TRUST_PROXY); IPv4-mapped IPv6 shown as IPv4. */
export function clientAddress(ip: string | undefined): string | null {
  if (!ip) return null;
  const plain = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  return isIP(plain) ? plain : null;
}
