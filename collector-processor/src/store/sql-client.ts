/**
 * The little of a PostgreSQL connection that storage needs, so one set of SQL runs on both the
 * `pg` pool and embedded PGlite.
 */
export interface SqlResult<R> {
  rows: R[];
  rowCount: number;
}

export interface SqlQueryable {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<SqlResult<R>>;
  /** Several statements, no parameters (migrations). */
  exec(text: string): Promise<void>;
}

export interface SqlClient extends SqlQueryable {
  /** 'postgres' or 'pglite': reported by health and used to pick PostgreSQL-only behaviour. */
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
