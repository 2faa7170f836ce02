import { runInNewContext } from 'node:vm';
import { ATTRIBUTION_SCRIPT } from './attribution-script';
import { SNIPPET_STORAGE_KEY, SnippetWindow, installAttribution } from './attribution-snippet';

const DAY = 24 * 3600 * 1000;

function fakeWindow(
  href: string,
  opts: { referrer?: string; cookie?: string; storage?: Map<string, string> | 'broken' } = {},
): SnippetWindow & { store: Map<string, string> } {
  const url = new URL(href);
  const store = opts.storage instanceof Map ? opts.storage : new Map<string, string>();
  const broken = opts.storage === 'broken';
  return {
    store,
    location: { search: url.search, href, hostname: url.hostname },
    document: { referrer: opts.referrer ?? '', cookie: opts.cookie ?? '' },
    localStorage: {
      getItem: (k) => {
        if (broken) throw new Error('SecurityError');
        return store.get(k) ?? null;
      },
      setItem: (k, v) => {
        if (broken) throw new Error('QuotaExceededError');
        store.set(k, v);
      },
    },
  };
}

describe('attribution snippet', () => {
  const landing =
    'https://flats.example/?utm_source=yandex&utm_medium=cpc&utm_campaign=spring&yclid=123&x=1';

  it('reads UTM tags, click ids and an outside referrer from the landing page', () => {
    const w = fakeWindow(landing, { referrer: 'https://yandex.ru/search' });
    const api = installAttribution(w, 1000);
    expect(api.tracking()).toEqual({
      utmSource: 'yandex',
      utmMedium: 'cpc',
      utmCampaign: 'spring',
      yclid: '123',
      referrer: 'https://yandex.ru/search',
    });
    expect(w.LeadAttribution).toBe(api);
  });

  it('keeps the first touch across later pages and visits, and adds it to the form post', () => {
    const storage = new Map<string, string>();
    installAttribution(fakeWindow(landing, { storage }), 1000);
    const later = fakeWindow('https://flats.example/flat/7?utm_source=google&gclid=g', {
      referrer: 'https://flats.example/',
      storage,
      cookie: 'a=b; _ym_uid=1700000000123; c=d',
    });
    const api = installAttribution(later, 1000 + 10 * DAY);
    expect(api.addTo({ guestName: 'Ivan' })).toEqual({
      guestName: 'Ivan',
      tracking: {
        utmSource: 'yandex',
        utmMedium: 'cpc',
        utmCampaign: 'spring',
        yclid: '123',
        ymUid: '1700000000123',
      },
      pageUrl: 'https://flats.example/flat/7?utm_source=google&gclid=g',
    });
  });

  it('forgets the first touch after 90 days and takes the new visit', () => {
    const storage = new Map<string, string>();
    installAttribution(fakeWindow(landing, { storage }), 0);
    const api = installAttribution(
      fakeWindow('https://flats.example/?utm_source=vk', { storage }),
      91 * DAY,
    );
    expect(api.tracking()).toEqual({ utmSource: 'vk' });
    expect(JSON.parse(storage.get(SNIPPET_STORAGE_KEY)!)).toEqual({
      at: 91 * DAY,
      tracking: { utmSource: 'vk' },
    });
  });

  it('stores nothing for a direct visit and an internal referrer, and sends no tracking', () => {
    const w = fakeWindow('https://flats.example/flat/1', { referrer: 'https://flats.example/' });
    const api = installAttribution(w, 5);
    expect(w.store.size).toBe(0);
    expect(api.addTo({ a: 1 })).toEqual({ a: 1, pageUrl: 'https://flats.example/flat/1' });
  });

  it('cleans values the backend would refuse and caps their length', () => {
    const long = 'x'.repeat(300);
    const w = fakeWindow(
      `https://flats.example/?utm_source=${encodeURIComponent('ya\u202Endex\n')}&utm_term=${long}`,
    );
    const t = installAttribution(w, 1).tracking();
    expect(t.utmSource).toBe('yandex');
    expect(t.utmTerm).toHaveLength(255);
  });

  it('works with storage disabled and ignores a stored value it did not write', () => {
    const api = installAttribution(fakeWindow(landing, { storage: 'broken' }), 1);
    expect(api.tracking().utmSource).toBe('yandex');
    const storage = new Map([[SNIPPET_STORAGE_KEY, '{not json']]);
    expect(installAttribution(fakeWindow(landing, { storage }), 1).tracking().utmSource).toBe(
      'yandex',
    );
  });

  it('serves source that runs on its own and installs window.LeadAttribution', () => {
    const w = fakeWindow(landing);
    const context: { window: SnippetWindow; Date: DateConstructor; URL: typeof URL } & Record<
      string,
      unknown
    > = { window: w, Date, URL, URLSearchParams, JSON, Object, decodeURIComponent };
    runInNewContext(ATTRIBUTION_SCRIPT, context);
    expect(w.LeadAttribution?.tracking().utmSource).toBe('yandex');
    expect(ATTRIBUTION_SCRIPT).not.toMatch(/require\(|exports\./);
  });
});
