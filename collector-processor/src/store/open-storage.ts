import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/config-schema';
import { migrate } from './migrate';
import { PgClient } from './pg-client';
import { PgliteClient } from './pglite-client';
import type { SqlClient } from './sql-client';
import { SqlStorage } from './sql-storage';

export type StorageOptions =
  /** `dataDir` omitted: in memory (tests). */
  | { kind: 'pglite'; dataDir?: string }
  | { kind: 'postgres'; url: string; schema?: string; poolSize?: number };

/** Connects, applies pending migrations and returns storage ready for use. */
export async function openStorage(opts: StorageOptions): Promise<SqlStorage> {
  let db: SqlClient;
  if (opts.kind === 'pglite') {
    if (opts.dataDir) await mkdir(opts.dataDir, { recursive: true });
    db = await PgliteClient.open(opts.dataDir);
  } else {
    db = new PgClient({ url: opts.url, schema: opts.schema, max: opts.poolSize });
  }
  try {
    await migrate(db);
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  return new SqlStorage(db);
}

/** storage.* of the service config: PGlite under dataDir/pglite, or PostgreSQL at storage.url. */
export function storageOptions(cfg: Pick<Config, 'dataDir' | 'storage'>): StorageOptions {
  return cfg.storage.kind === 'postgres'
    ? { kind: 'postgres', url: cfg.storage.url! }
    : { kind: 'pglite', dataDir: path.join(cfg.dataDir, 'pglite') };
}
