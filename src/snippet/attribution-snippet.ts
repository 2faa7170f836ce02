/**
 * The site's attribution snippet. `installAttribution` runs in the visitor's browser: the
 * backend serves its source text (see snippet.controller.ts), so it must stay self-contained —
 * no imports, no helpers outside its body — and use only what every current browser has.
 *
 * First touch wins: the UTM tags, click ids and outside referrer of the visit that first
 * brought the visitor are kept in localStorage for 90 days, so a visitor who lands from an ad,
 * browses and submits later still carries the ad's tags. Values are cleaned and capped to what
 * POST /api/leads accepts, so attribution can never make the form fail.
 */

/** The bits of `window` the snippet uses; a test passes a fake. */
export interface SnippetWindow {
  location: { search: string; href: string; hostname: string };
  document: { referrer: string; cookie: string };
  localStorage?: {
    getItem(key: string): string | null;
    setItem(key: string, value: string): void;
  };
  LeadAttribution?: LeadAttributionApi;
}

export type SnippetTracking = Record<string, string>;

export interface LeadAttributionApi {
  /** The first-touch tracking values (plus the current Yandex Metrica id). */
  tracking(): SnippetTracking;
  /** The form's page: the current address, capped. */
  pageUrl(): string;
  /** A copy of a lead body with `tracking` and `pageUrl` added. */
  addTo<T extends object>(body: T): T & { tracking?: SnippetTracking; pageUrl: string };
}

export const SNIPPET_STORAGE_KEY = 'leadAttribution.v1';

export function installAttribution(w: SnippetWindow, now: number): LeadAttributionApi {
  const KEY = 'leadAttribution.v1';
  const TTL_MS = 90 * 24 * 3600 * 1000;
  const PARAMS: [string, string][] = [
    ['utm_source', 'utmSource'],
    ['utm_medium', 'utmMedium'],
    ['utm_campaign', 'utmCampaign'],
    ['utm_content', 'utmContent'],
    ['utm_term', 'utmTerm'],
    ['gclid', 'gclid'],
    ['yclid', 'yclid'],
    ['fbclid', 'fbclid'],
  ];
  // What the backend refuses in a single-line field: controls, line separators, bidi controls,
  // zero-width characters and unpaired surrogates.
  const REFUSED =
    // eslint-disable-next-line no-control-regex -- removing control characters is the point
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u180e]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

  const clean = (raw: string | null | undefined, max: number): string => {
    const text = (raw ?? '').replace(REFUSED, '').trim();
    if (text.length <= max) return text;
    // never cut a surrogate pair in half
    const cut = text.slice(0, max);
    return /[\ud800-\udbff]$/.test(cut) ? cut.slice(0, -1) : cut;
  };

  const touch = (): SnippetTracking => {
    const out: SnippetTracking = {};
    const query = new URLSearchParams(w.location.search);
    for (const [param, key] of PARAMS) {
      const value = clean(query.get(param), 255);
      if (value) out[key] = value;
    }
    const ref = w.document.referrer;
    if (ref) {
      let outside = true;
      try {
        outside = new URL(ref).hostname !== w.location.hostname;
      } catch {
        outside = false;
      }
      const value = clean(ref, 2000);
      if (outside && value) out.referrer = value;
    }
    return out;
  };

  const stored = (): SnippetTracking | null => {
    try {
      const raw = w.localStorage?.getItem(KEY);
      if (!raw) return null;
      const parsed = JSON.parse(raw) as { at?: unknown; tracking?: unknown };
      if (typeof parsed.at !== 'number' || now - parsed.at > TTL_MS) return null;
      if (!parsed.tracking || typeof parsed.tracking !== 'object') return null;
      const out: SnippetTracking = {};
      for (const [key, value] of Object.entries(parsed.tracking as Record<string, unknown>)) {
        const max = key === 'referrer' ? 2000 : 255;
        if (typeof value === 'string' && clean(value, max)) out[key] = clean(value, max);
      }
      return out;
    } catch {
      return null; // storage disabled or a value some other script wrote
    }
  };

  const current = touch();
  let first = stored();
  if (!first && Object.keys(current).length > 0) {
    first = current;
    try {
      w.localStorage?.setItem(KEY, JSON.stringify({ at: now, tracking: current }));
    } catch {
      // storage full or disabled: this page's values are still used below
    }
  }
  const firstTouch = first ?? current;

  const ymUid = (): string => {
    const m = /(?:^|;\s*)_ym_uid=([^;]*)/.exec(w.document.cookie);
    if (!m) return '';
    try {
      return clean(decodeURIComponent(m[1]), 255);
    } catch {
      return '';
    }
  };

  const api: LeadAttributionApi = {
    tracking: () => {
      const out: SnippetTracking = { ...firstTouch };
      const ym = ymUid();
      if (ym) out.ymUid = ym;
      return out;
    },
    pageUrl: () => clean(w.location.href, 2000),
    addTo: (body) => {
      const tracking = api.tracking();
      return {
        ...body,
        ...(Object.keys(tracking).length ? { tracking } : {}),
        pageUrl: api.pageUrl(),
      };
    },
  };
  w.LeadAttribution = api;
  return api;
}
