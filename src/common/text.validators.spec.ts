import { multiLineProblem, singleLineProblem } from './text.validators';

describe('singleLineProblem', () => {
  it.each([
    ['Ivan Petrov'],
    ['Анна-Мария О’Нил'],
    ['\u0645\u062D\u0645\u062F\u200C\u0631\u0636\u0627'], // ZWNJ between two Persian letters
    ['\u{1F468}\u200D\u{1F469}\u200D\u{1F467} family'], // ZWJ emoji sequence
    ['José 😀'],
  ])('accepts %s', (v) => {
    expect(singleLineProblem(v)).toBeNull();
  });

  it.each([
    ['bidi override', 'Ivan\u202Egnp.exe', /bidirectional.*U\+202E/],
    ['isolate', 'a\u2066b', /bidirectional.*U\+2066/],
    ['line separator', 'a\u2028b', /line or paragraph.*U\+2028/],
    ['paragraph separator', 'a\u2029b', /U\+2029/],
    ['zero-width space', 'Iv\u200Ban', /zero-width.*U\+200B/],
    ['BOM', '\uFEFFIvan', /U\+FEFF/],
    ['word joiner', 'Iv\u2060an', /U\+2060/],
    ['joiner at the edge', '\u200DIvan', /joiner outside a word/],
    ['joiner beside a space', 'Ivan \u200C', /joiner outside a word/],
    ['lone high surrogate', 'Ivan\ud800', /unpaired surrogate.*U\+D800/],
    ['lone low surrogate', '\udc00Ivan', /unpaired surrogate/],
    ['newline', 'a\nb', /control/],
    ['C1 control', 'a\u0085b', /control.*U\+0085/],
    ['NUL', 'a\u0000b', /control.*U\+0000/],
  ])('refuses a %s', (_what, v, reason) => {
    expect(singleLineProblem(v)).toMatch(reason);
  });
});

describe('multiLineProblem', () => {
  it('accepts lines and bidi marks in free text', () => {
    expect(multiLineProblem('first line\nsecond\u2028third \u200F')).toBeNull();
  });

  it('refuses NUL and lone surrogates', () => {
    expect(multiLineProblem('a\u0000')).toMatch(/NUL/);
    expect(multiLineProblem('a\udfff')).toMatch(/unpaired surrogate/);
  });
});
