import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/config-schema';
import { LocalModelStore } from './local-model-store';
import { cacheOptions } from './open-cache';
import { openModelStore } from './open-model-store';
import { storageOptions } from './open-storage';
import { S3ModelStore } from './s3-model-store';
import type { SqlClient } from './sql-client';
import { DatabaseModelStore } from './database-model-store';

// Not opened: choosing a store only keeps the client.
const db = {} as SqlClient;

describe('store options from the service config', () => {
  it('defaults to embedded PGlite, the in-process cache and bundles in the storage database', () => {
    const cfg = configSchema.parse({ dataDir: '/var/lib/logsieve' });
    expect(storageOptions(cfg)).toEqual({
      kind: 'pglite',
      dataDir: path.join('/var/lib/logsieve', 'pglite'),
    });
    expect(cacheOptions(cfg)).toEqual({ kind: 'memory' });
    expect(openModelStore(cfg, db)).toBeInstanceOf(DatabaseModelStore);
    const local = openModelStore(configSchema.parse({ dataDir: '/d', modelStore: { kind: 'local' } }), db);
    expect((local as LocalModelStore).root).toBe(path.join('/d', 'models'));
  });

  it('uses PostgreSQL, Redis and S3 when configured', () => {
    const cfg = configSchema.parse({
      storage: { kind: 'postgres', url: 'postgres://u@db:5432/logsieve?sslmode=require' },
      cache: { kind: 'redis', url: 'redis://cache:6379' },
      modelStore: { kind: 's3', s3: { bucket: 'b', endpoint: 'http://minio:9000' } },
    });
    expect(storageOptions(cfg)).toEqual({
      kind: 'postgres',
      url: 'postgres://u@db:5432/logsieve?sslmode=require',
    });
    expect(cacheOptions(cfg)).toEqual({ kind: 'redis', url: 'redis://cache:6379', caFile: null });
    const models = openModelStore(cfg, db);
    expect(models.kind).toBe('s3');
    expect(models).toBeInstanceOf(S3ModelStore);
    models.close?.();
  });
});
