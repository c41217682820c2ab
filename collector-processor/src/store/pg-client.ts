import pg from 'pg';
import { pgParams, type SqlClient, type SqlQueryable, type SqlResult } from './sql-client';

export interface PgClientOptions {
  /** postgres://user:pass@host:port/db?sslmode=...; pg's URL parser applies sslmode. */
  url: string;
  /** Schema to put first on search_path (tests use a throwaway one per run). */
  schema?: string;
  max?: number;
}

function wrap(q: pg.Pool | pg.PoolClient): SqlQueryable {
  return {
    async query<R>(text: string, params?: unknown[]): Promise<SqlResult<R>> {
      const res = await q.query(text, pgParams(params));
      return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
    },
    async exec(text: string): Promise<void> {
      await q.query(text);
    },
  };
}

/** PostgreSQL through a `pg` pool. */
export class PgClient implements SqlClient {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly direct: SqlQueryable;

  constructor(opts: PgClientOptions) {
    this.pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.max ?? 10,
      connectionTimeoutMillis: 10_000,
      ...(opts.schema ? { options: `-c search_path=${quoteIdent(opts.schema)}` } : {}),
    });
    // An idle client losing its server must not crash the process; the next query reconnects.
    this.pool.on('error', () => {});
    this.direct = wrap(this.pool);
  }

  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<SqlResult<R>> {
    return this.direct.query<R>(text, params);
  }

  exec(text: string): Promise<void> {
    return this.direct.exec(text);
  }

  async transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const out = await fn(wrap(client));
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
