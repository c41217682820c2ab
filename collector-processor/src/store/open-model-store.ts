import path from 'node:path';
import type { Config } from '../config/config-schema';
import { LocalModelStore } from './local-model-store';
import type { ModelStore } from './model-store';
import { S3ModelStore } from './s3-model-store';

/** modelStore.* of the service config: dataDir/models, or S3 with downloads cached in dataDir/model-cache. */
export function openModelStore(cfg: Pick<Config, 'dataDir' | 'modelStore'>): ModelStore {
  if (cfg.modelStore.kind === 'local') return new LocalModelStore(path.join(cfg.dataDir, 'models'));
  const s3 = cfg.modelStore.s3;
  return new S3ModelStore({
    bucket: s3.bucket!,
    region: s3.region,
    prefix: s3.prefix,
    endpoint: s3.endpoint,
    cacheDir: path.join(cfg.dataDir, 'model-cache'),
  });
}
