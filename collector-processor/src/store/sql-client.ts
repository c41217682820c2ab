import { safeText } from '../safe-text';

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

/**
 * Parameters as PostgreSQL can take them: NUL and lone surrogates in strings (and string arrays)
 * become U+FFFD (see safe-text.ts). Both clients pass every query's parameters through this, so
 * no stored text, key or lookup can make a statement fail.
 */
export function pgParams(params: unknown[] | undefined): unknown[] | undefined {
  return params?.map((p) =>
    typeof p === 'string'
      ? safeText(p)
      : Array.isArray(p)
        ? p.map((e: unknown) => (typeof e === 'string' ? safeText(e) : e))
        : p,
  );
}
