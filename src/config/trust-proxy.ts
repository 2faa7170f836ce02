import { isIP } from 'node:net';

/**
 * Express's `trust proxy`: false, a hop count, or the proxies' addresses/CIDRs (or Express's
 * names `loopback`, `linklocal`, `uniquelocal`). Never `true`: trusting every hop lets any
 * client pick its own address with one X-Forwarded-For header and walk around the throttle.
 */
export type TrustProxy = false | number | string[];

const NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const EVERYTHING = new Set(['0.0.0.0/0', '::/0', '::0/0']);

function isAddressOrCidr(entry: string): boolean {
  const [addr, bits, extra] = entry.split('/');
  const family = isIP(addr);
  if (!family || extra !== undefined) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

function refuse(reason: string): never {
  throw new Error(
    `Invalid configuration:\n  - TRUST_PROXY ${reason}; use the number of proxies in front ` +
      '(e.g. 1) or their addresses/CIDRs, comma-separated (e.g. 127.0.0.1,10.0.0.0/8)',
  );
}

export function parseTrustProxy(raw: string | undefined): TrustProxy {
  const value = (raw ?? '').trim();
  if (value === '' || value === '0' || value.toLowerCase() === 'false') return false;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 10) refuse(`of ${hops} hops is not a plausible proxy chain`);
    return hops;
  }
  if (['true', '*', 'all'].includes(value.toLowerCase())) {
    refuse('must not trust every address: any client could then choose its own address');
  }
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const entry of entries) {
    if (EVERYTHING.has(entry)) refuse(`must not trust every address (${entry})`);
    if (!NAMES.has(entry) && !isAddressOrCidr(entry)) {
      refuse(`has "${entry}", which is not an IP address, a CIDR or a known name`);
    }
  }
  return entries;
}
