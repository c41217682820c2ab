import { RedisCache } from '../redis-cache';

/* The real Redis for tests. Unreachable: skip with a reason, except under CI=true where it fails. */

export const TEST_REDIS_URL = process.env.LOGSIEVE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function redisSkipReason(): Promise<string | null> {
  try {
    const c = await RedisCache.connect({ url: TEST_REDIS_URL, connectTimeoutMs: 1000 });
    await c.close();
    return null;
  } catch (err) {
    const reason = `Redis at ${TEST_REDIS_URL} unreachable (${(err as Error).message})`;
    if (process.env.CI === 'true') throw new Error(`${reason}; required under CI=true`);
    return reason;
  }
}
