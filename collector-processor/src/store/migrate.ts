import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqlClient } from './sql-client';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
/** Arbitrary constant: every logsieve replica takes the same lock, so only one migrates at a time. */
const MIGRATION_LOCK = 0x6c6f6773;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** migrations/NNN_name.sql, in version order. */
export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d+_.+\.sql$/.test(f));
  const out: Migration[] = [];
  for (const file of files) {
    const m = /^(\d+)_(.+)\.sql$/.exec(file)!;
    out.push({ version: Number(m[1]), name: m[2]!, sql: await readFile(path.join(dir, file), 'utf8') });
  }
  return out.sort((a, b) => a.version - b.version);
}

/**
 * Applies the pending migrations in one transaction under an advisory lock, so replicas starting
 * together neither race nor half-apply; running it again is a no-op. Returns the versions applied.
 */
export async function migrate(db: SqlClient, migrations?: Migration[]): Promise<number[]> {
  const all = migrations ?? (await loadMigrations());
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set(
      (await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map(
        (r) => r.version,
      ),
    );
    const applied: number[] = [];
    for (const m of all) {
      if (done.has(m.version)) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}
