import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { assertVersion, cachedBundle, listFiles, pathExists, type ModelStore } from './model-store';
import type { SqlClient } from './sql-client';

/**
 * Bundles in the storage database (table model_files) beside the model registry: every replica
 * that shares the database loads every version, with nothing else to run. Loaded versions are
 * cached as folders under `cacheDir` (onnxruntime reads files).
 */
export class DatabaseModelStore implements ModelStore {
  readonly kind = 'database' as const;

  constructor(
    private readonly db: SqlClient,
    private readonly cacheDir: string,
  ) {}

  async save(version: string, sourceDir: string): Promise<void> {
    assertVersion(version);
    const files = await listFiles(sourceDir);
    const contents = await Promise.all(files.map((rel) => readFile(path.join(sourceDir, rel))));
    if ((await this.list()).includes(version)) throw new Error(`model ${version} is already stored`);
    try {
      // One transaction: a version is stored whole or not at all.
      await this.db.transaction(async (tx) => {
        for (const [i, rel] of files.entries())
          await tx.query('INSERT INTO model_files (version, path, bytes) VALUES ($1, $2, $3)', [
            version,
            rel,
            contents[i],
          ]);
      });
    } catch (err) {
      // Another replica stored the same version meanwhile (the primary key).
      if ((err as { code?: string }).code === '23505') throw new Error(`model ${version} is already stored`);
      throw err;
    }
  }

  async load(version: string): Promise<string | null> {
    assertVersion(version);
    const cached = path.join(this.cacheDir, version);
    if (await pathExists(cached)) return cached;
    const { rows } = await this.db.query<{ path: string; bytes: Uint8Array }>(
      'SELECT path, bytes FROM model_files WHERE version = $1',
      [version],
    );
    if (rows.length === 0) return null;
    return cachedBundle(this.cacheDir, version, async function* () {
      for (const r of rows) yield [r.path, r.bytes] as [string, Uint8Array];
    });
  }

  async list(): Promise<string[]> {
    const { rows } = await this.db.query<{ version: string }>('SELECT DISTINCT version FROM model_files');
    return rows.map((r) => r.version).sort();
  }

  async remove(version: string): Promise<boolean> {
    assertVersion(version);
    const { rowCount } = await this.db.query('DELETE FROM model_files WHERE version = $1', [version]);
    await rm(path.join(this.cacheDir, version), { recursive: true, force: true });
    return rowCount > 0;
  }
}
