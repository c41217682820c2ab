import { PGlite, type Transaction } from '@electric-sql/pglite';
import { pgParams, type SqlClient, type SqlQueryable, type SqlResult } from './sql-client';

function wrap(q: PGlite | Transaction): SqlQueryable {
  return {
    async query<R>(text: string, params?: unknown[]): Promise<SqlResult<R>> {
      const res = await q.query<R>(text, pgParams(params));
      return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
    },
    async exec(text: string): Promise<void> {
      await q.exec(text);
    },
  };
}

/** Embedded PostgreSQL (WASM): file-backed under `dataDir`, or in memory when it is omitted. */
export class PgliteClient implements SqlClient {
  readonly kind = 'pglite' as const;
  private readonly direct: SqlQueryable;

  private constructor(private readonly db: PGlite) {
    this.direct = wrap(db);
  }

  static async open(dataDir?: string): Promise<PgliteClient> {
    const db = dataDir ? new PGlite(dataDir) : new PGlite();
    try {
      await db.waitReady;
    } catch (err) {
      throw fromWasmErrno(err, dataDir);
    }
    return new PgliteClient(db);
  }

  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<SqlResult<R>> {
    return this.direct.query<R>(text, params);
  }

  exec(text: string): Promise<void> {
    return this.direct.exec(text);
  }

  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(wrap(tx)));
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

/** Emscripten's errno numbers (not the host's) for the failures a data folder meets. */
const WASM_ERRNO: Record<number, string> = {
  2: 'EACCES',
  19: 'EDQUOT',
  29: 'EIO',
  44: 'ENOENT',
  51: 'ENOSPC',
  54: 'ENOTDIR',
  63: 'EPERM',
  69: 'EROFS',
};

/**
 * PGlite's file system fails with a bare `ErrnoError {errno}` (no Error, no message, no path):
 * turned into an errno error naming the data folder, as Node's own file calls would report it.
 */
function fromWasmErrno(err: unknown, dataDir: string | undefined): unknown {
  const errno = (err as { name?: unknown; errno?: unknown } | null)?.errno;
  if ((err as { name?: unknown } | null)?.name !== 'ErrnoError' || typeof errno !== 'number') return err;
  const code = WASM_ERRNO[errno] ?? `errno ${errno}`;
  return Object.assign(
    new Error(`${code}: PGlite could not write its data folder ${dataDir ?? '(in memory)'}`),
    {
      code,
      errno,
      syscall: 'write',
      ...(dataDir ? { path: dataDir } : {}),
    },
  );
}
