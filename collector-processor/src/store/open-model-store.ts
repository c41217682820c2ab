import path from 'node:path';
import type { Config } from '../config/config-schema';
import { DatabaseModelStore } from './database-model-store';
import { LocalModelStore } from './local-model-store';
import type { ModelStore } from './model-store';
import { S3ModelStore } from './s3-model-store';
import type { SqlClient } from './sql-client';

/**
 * modelStore.* of the service config: the storage database (the default: shared wherever storage
 * is), dataDir/models, or S3; remote bundles are cached under dataDir/model-cache.
 */
export function openModelStore(cfg: Pick<Config, 'dataDir' | 'modelStore'>, db: SqlClient): ModelStore {
  const cacheDir = path.join(cfg.dataDir, 'model-cache');
  if (cfg.modelStore.kind === 'database') return new DatabaseModelStore(db, cacheDir);
  if (cfg.modelStore.kind === 'local') return new LocalModelStore(path.join(cfg.dataDir, 'models'));
  const s3 = cfg.modelStore.s3;
  return new S3ModelStore({
    bucket: s3.bucket!,
    region: s3.region,
    prefix: s3.prefix,
    endpoint: s3.endpoint,
    cacheDir,
  });
}
