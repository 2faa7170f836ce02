import { ValidateBy, ValidationArguments } from 'class-validator';

/**
 * Characters a single-line field (a name, a title) refuses, and why:
 * - C0/C1 controls: PostgreSQL text cannot hold NUL, and the rest break lines and logs;
 * - U+2028/U+2029 line and paragraph separators: line breaks in disguise;
 * - bidi controls (U+061C, U+200E/F, U+202A–E, U+2066–9): they reorder what a manager reads,
 *   so `Ivan\u202Egnp.exe` shows as something else in amoCRM;
 * - zero-width spaces and the BOM (U+200B, U+2060–4, U+FEFF, U+180E): they make two names
 *   that look the same differ.
 * The zero-width joiners U+200C/U+200D stay allowed between two letters or emoji, where
 * Persian and Indic names and emoji sequences need them; at an edge or beside a space they
 * are padding and refused.
 */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
const SEPARATOR = /[\u2028\u2029]/u;
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const ZERO_WIDTH = /[\u200b\u2060-\u2064\ufeff\u180e]/u;
const JOINABLE = String.raw`[\p{L}\p{M}\p{N}\p{Extended_Pictographic}\p{Emoji_Modifier}]`;
const LOOSE_JOINER = new RegExp(
  String.raw`(?<!${JOINABLE})[\u200c\u200d]|[\u200c\u200d](?!${JOINABLE})`,
  'u',
);
// With the u flag a surrogate class matches only unpaired halves: a lone surrogate cannot be
// stored as UTF-8 (PostgreSQL would keep U+FFFD while the answer echoed the original).
const LONE_SURROGATE = /[\ud800-\udfff]/u;
// eslint-disable-next-line no-control-regex -- refusing NUL is the point
const NUL = /\u0000/u;

const codePoint = (s: string): string =>
  `U+${(s.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

/** The reason a single-line value is refused, or null when it is fine. */
export function singleLineProblem(value: string): string | null {
  const checks: [RegExp, string][] = [
    [LONE_SURROGATE, 'an unpaired surrogate (not valid Unicode text)'],
    [CONTROL, 'a control character'],
    [SEPARATOR, 'a line or paragraph separator'],
    [BIDI, 'a bidirectional control character'],
    [ZERO_WIDTH, 'a zero-width character'],
    [LOOSE_JOINER, 'a zero-width joiner outside a word'],
  ];
  for (const [re, what] of checks) {
    const m = re.exec(value);
    if (m) return `${what} (${codePoint(m[0])}) at position ${m.index}`;
  }
  return null;
}

/** The reason a multi-line value is refused, or null when it is fine. */
export function multiLineProblem(value: string): string | null {
  if (NUL.test(value)) return 'a NUL character';
  const m = LONE_SURROGATE.exec(value);
  return m ? `an unpaired surrogate (${codePoint(m[0])}) at position ${m.index}` : null;
}

const textRule = (name: string, problem: (v: string) => string | null, what: string) =>
  ValidateBy({
    name,
    validator: {
      // non-strings are IsString's to report
      validate: (value: unknown) => typeof value !== 'string' || problem(value) === null,
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property ?? 'value'} must be ${what}; it contains ${
          problem(String(args?.value)) ?? 'a character that is not allowed'
        }`,
    },
  });

/** Names and titles: one line of visible text, stored exactly as answered. */
export const SingleLineText = (): PropertyDecorator =>
  textRule('singleLineText', singleLineProblem, 'a single line of visible text');

/** Free text (a comment): any lines, but nothing PostgreSQL would refuse or silently alter. */
export const NoNulText = (): PropertyDecorator =>
  textRule('storableText', multiLineProblem, 'text without NUL or unpaired surrogates');
