import { ValidateBy, ValidationArguments } from 'class-validator';

export const MIN_SECRET_LENGTH = 32;
export const GENERATE_SECRET_HINT = 'generate one with: openssl rand -base64 32';

/**
 * Values that are public because they are printed in `.env.example`, the README or old
 * examples. A file copied without editing must not boot with a key everyone knows.
 */
const KNOWN_PLACEHOLDERS = new Set([
  'replace-with-a-long-random-string',
  'replace-with-another-long-random-string',
  'replace-with-32-bytes-base64',
  'change-me-to-a-long-random-key',
]);
const PLACEHOLDER_WORDS =
  /replace|change-?me|example|placeholder|your[-_]?(key|secret)|secret-?here/i;

/** Shannon entropy of the string's own character distribution, in bits per character. */
function bitsPerChar(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const n = [...value].length;
  let bits = 0;
  for (const c of counts.values()) bits -= (c / n) * Math.log2(c / n);
  return bits;
}

/**
 * Why a value is not good enough as a shared secret, or null when it is. "Random-looking" is
 * judged by what a generator's output always has and a typed phrase or pattern does not:
 * at least 32 characters, 12 or more distinct ones and ≥ 3 bits of entropy per character
 * (hex from `openssl rand -hex 32` has ~3.9, base64 ~5; `aaaa…` has 0, `abab…` 1).
 */
export function secretProblem(value: string): string | null {
  const v = value.trim();
  if (KNOWN_PLACEHOLDERS.has(v.toLowerCase()) || PLACEHOLDER_WORDS.test(v)) {
    return 'is a placeholder from the examples';
  }
  if ([...v].length < MIN_SECRET_LENGTH) return `must be at least ${MIN_SECRET_LENGTH} characters`;
  if (new Set(v).size < 12 || bitsPerChar(v) < 3) return 'does not look random';
  return null;
}

/** Config validation: a strong shared secret, with a message saying how to make one. */
export const IsStrongSecret = (): PropertyDecorator =>
  ValidateBy({
    name: 'strongSecret',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && secretProblem(value) === null,
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property ?? 'secret'} ${
          typeof args?.value === 'string' ? secretProblem(args.value) : 'must be a string'
        }: use at least ${MIN_SECRET_LENGTH} random characters (${GENERATE_SECRET_HINT})`,
    },
  });
