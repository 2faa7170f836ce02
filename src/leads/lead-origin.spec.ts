import { clientAddress, formPageFromReferer } from './lead-origin';
import { compactTracking } from './lead-tracking';

describe('lead origin', () => {
  it('uses a plain http(s) Referer as the form page and nothing else', () => {
    expect(formPageFromReferer('https://example.com/flats/7?x=1')).toBe(
      'https://example.com/flats/7?x=1',
    );
    expect(formPageFromReferer(undefined)).toBeNull();
    expect(formPageFromReferer('javascript:alert(1)')).toBeNull();
    expect(formPageFromReferer('not a url')).toBeNull();
    expect(formPageFromReferer(`https://e.com/${'a'.repeat(2000)}`)).toBeNull();
    expect(formPageFromReferer('https://e.com/\u202Eevil')).toBeNull();
  });

  it('keeps a valid client address and shows IPv4-mapped addresses as IPv4', () => {
    expect(clientAddress('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddress('2001:db8::1')).toBe('2001:db8::1');
    expect(clientAddress('10.0.0.1')).toBe('10.0.0.1');
    expect(clientAddress(undefined)).toBeNull();
    expect(clientAddress('garbage')).toBeNull();
  });

  it('keeps only the tracking keys with a value', () => {
    expect(compactTracking({ utmSource: ' yandex ', utmMedium: '', gclid: '  ' })).toEqual({
      utmSource: 'yandex',
    });
    expect(compactTracking({ utmMedium: '' })).toBeNull();
    expect(compactTracking(undefined)).toBeNull();
  });
});
