import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { SqlClient, SqlQueryable, SqlResult } from './sql-client';

function wrap(q: PGlite | Transaction): SqlQueryable {
  return {
    async query<R>(text: string, params?: unknown[]): Promise<SqlResult<R>> {
      const res = await q.query<R>(text, params);
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
    await db.waitReady;
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
