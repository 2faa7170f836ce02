import { normalizeEmail, normalizePhone } from './contact-normalization';

describe('normalizePhone', () => {
  it.each([
    ['+7 (912) 345-67-89', '+79123456789'],
    ['8 912 345 67 89', '+79123456789'],
    ['9123456789', '+79123456789'],
    ['+44 20 7946 0958', '+442079460958'],
    ['  +1 415-555-2671 ', '+14155552671'],
  ])('turns %s into E.164 %s', (input, expected) => {
    expect(normalizePhone(input, 'RU')).toBe(expected);
  });

  it.each(['', '123', 'call me', '+7 912', '+0000000000000', '<script>', '++79123456789x'])(
    'rejects %p',
    (input) => {
      expect(normalizePhone(input, 'RU')).toBeNull();
    },
  );
});

describe('normalizeEmail', () => {
  it('trims and lower-cases', () => {
    expect(normalizeEmail('  Ivan.Petrov@Example.COM ')).toBe('ivan.petrov@example.com');
  });
});
