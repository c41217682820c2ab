import { mkdir } from 'node:fs/promises';
import { migrate } from '../store/migrate';
import type { StorageOptions } from '../store/open-storage';
import { ApiKeyStore } from '../store/api-key-store';
import { PgClient } from '../store/pg-client';
import { PgliteClient } from '../store/pglite-client';
import { SqlStorage } from '../store/sql-storage';
import type { KeyAdmin } from './keys';

/**
 * The key store and audit log over one migrated connection. openStorage keeps its SqlClient private,
 * and ApiKeyStore needs it, hence this small opener.
 */
export async function openKeyAdmin(opts: StorageOptions): Promise<KeyAdmin & { close(): Promise<void> }> {
  let db;
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
  return { keys: new ApiKeyStore(db), audit: new SqlStorage(db), close: () => db.close() };
}
