import type { Config } from '../config/config-schema';
import type { Cache } from './cache';
import { FallbackCache } from './fallback-cache';
import { MemoryCache } from './memory-cache';
import { RedisCache } from './redis-cache';

export type CacheOptions =
  | { kind: 'memory' }
  | { kind: 'redis'; url: string; prefix?: string; connectTimeoutMs?: number; caFile?: string | null };

/**
 * Redis when configured and reachable; otherwise the in-process cache, marked `degraded` with a
 * warning: thresholds and model changes then stay local to this replica, but the service runs,
 * and it goes on trying Redis in the background (FallbackCache).
 */
export async function openCache(
  opts: CacheOptions,
  warn: (message: string) => void = console.warn,
): Promise<Cache> {
  if (opts.kind === 'memory') return new MemoryCache();
  try {
    return await RedisCache.connect(opts);
  } catch (err) {
    warn(
      `cache: Redis at ${opts.url} unreachable (${(err as Error).message}); using the in-process cache until it is back`,
    );
    return new FallbackCache(() => RedisCache.connect(opts), { warn });
  }
}

export function cacheOptions(cfg: Pick<Config, 'cache'>): CacheOptions {
  return cfg.cache.kind === 'redis'
    ? { kind: 'redis', url: cfg.cache.url!, caFile: cfg.cache.caFile }
    : { kind: 'memory' };
}
