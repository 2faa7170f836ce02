import { ValidationErrorDto } from './dto/console-lists.response';

/**
 * A stored error reads `permanent 400: <message>; [<request>] <path>: <code> <detail>; …`
 * (AmoCrmError.describe); the console shows amoCRM's list of refusals one per line.
 */
export function splitStoredError(error: string | null): {
  reason: string | null;
  validationErrors: ValidationErrorDto[];
} {
  if (!error) return { reason: null, validationErrors: [] };
  const parts = error.split('; ');
  const validationErrors: ValidationErrorDto[] = [];
  const rest: string[] = [];
  for (const part of parts) {
    const m = /^\[[^\]]*\] ([^:]*): (\S+) (.*)$/s.exec(part);
    const last = validationErrors.at(-1);
    if (m) validationErrors.push({ path: m[1], code: m[2], detail: m[3] });
    // the list comes last: a piece after it is the rest of a detail that held "; "
    else if (last) last.detail = `${last.detail}; ${part}`;
    else rest.push(part);
  }
  return { reason: rest.join('; '), validationErrors };
}
