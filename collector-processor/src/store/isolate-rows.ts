import type { SqlQueryable } from './sql-client';

/**
 * The rows themselves are at fault, not the connection: SQLSTATE class 22 (data exception: bad
 * encoding, value out of range) or a RangeError while preparing them (an invalid date). Retrying
 * such a batch can never succeed.
 */
export function isRowDataError(err: unknown): boolean {
  if (err instanceof RangeError) return true;
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && code.startsWith('22');
}

/**
 * Writes `rows` with `write` inside the transaction `tx`. When a part is refused for its data it
 * is rolled back to a savepoint and halved until the rows at fault are found; they are left out
 * and returned, the others are written. So one poisoned row cannot make every later batch fail.
 * Any other error propagates and the caller's transaction rolls back: nothing is half written.
 */
export async function writeIsolated<T>(
  tx: SqlQueryable,
  rows: T[],
  write: (part: T[]) => Promise<unknown>,
): Promise<T[]> {
  const refused: T[] = [];
  const attempt = async (part: T[]): Promise<void> => {
    await tx.exec('SAVEPOINT isolate_rows');
    try {
      await write(part);
      await tx.exec('RELEASE SAVEPOINT isolate_rows');
      return;
    } catch (err) {
      if (!isRowDataError(err)) throw err;
      await tx.exec('ROLLBACK TO SAVEPOINT isolate_rows; RELEASE SAVEPOINT isolate_rows');
    }
    if (part.length === 1) {
      refused.push(part[0]!);
      return;
    }
    const half = Math.ceil(part.length / 2);
    await attempt(part.slice(0, half));
    await attempt(part.slice(half));
  };
  if (rows.length > 0) await attempt(rows);
  return refused;
}
