/**
 * TypeORM's postgres driver answers a raw `UPDATE/DELETE … RETURNING` with `[rows, count]`
 * and a raw `SELECT`/`INSERT … RETURNING` with the rows; this gives the rows either way.
 */
export function returningRows<T>(result: unknown): T[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0] as T[];
  }
  return Array.isArray(result) ? (result as T[]) : [];
}
