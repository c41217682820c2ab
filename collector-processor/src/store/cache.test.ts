import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cache } from './cache';
import { MemoryCache } from './memory-cache';
import { openCache } from './open-cache';
import { RedisCache } from './redis-cache';
import { TEST_REDIS_URL as REDIS_URL, redisSkipReason } from './testing/test-redis';

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

const nextMessage = (cache: Cache, channel: string) =>
  new Promise<string>((resolve) => {
    void cache.subscribe(channel, resolve);
  });

function contract(name: string, make: () => Promise<[Cache, Cache]>, skip: () => boolean) {
  describe(name, () => {
    let a: Cache;
    let b: Cache;
    beforeAll(async () => {
      if (!skip()) [a, b] = await make();
    });
    afterAll(async () => {
      await a?.close();
      if (b !== a) await b?.close();
    });

    it.skipIf(skip())('delivers published messages to subscribers until they unsubscribe', async () => {
      const got: string[] = [];
      const off = await b.subscribe('thresholds', (m) => got.push(m));
      const first = nextMessage(b, 'thresholds');
      await a.publish('thresholds', '{"stream":"api"}');
      expect(await first).toBe('{"stream":"api"}');
      expect(got).toEqual(['{"stream":"api"}']);
      await off();
      await a.publish('thresholds', 'after');
      await new Promise((r) => setTimeout(r, 100));
      expect(got).toEqual(['{"stream":"api"}']);
    });
  });
}

const redisSkip = await redisSkipReason();
if (redisSkip) console.warn(`skipping Redis cache tests: ${redisSkip}`);

contract(
  'MemoryCache',
  async () => {
    const c = new MemoryCache();
    return [c, c];
  },
  () => false,
);

contract(
  'RedisCache (two clients)',
  async () => {
    // A fresh prefix per run keeps parallel runs on one Redis apart.
    const prefix = `logsieve-test:${randomBytes(4).toString('hex')}:`;
    return [
      await RedisCache.connect({ url: REDIS_URL, prefix }),
      await RedisCache.connect({ url: REDIS_URL, prefix }),
    ];
  },
  () => redisSkip !== null,
);

describe('openCache', () => {
  it('falls back to the in-process cache, flagged and warned, when Redis is down', async () => {
    const warnings: string[] = [];
    const port = await closedPort();
    const cache = await openCache(
      { kind: 'redis', url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 500 },
      (m) => warnings.push(m),
    );
    expect(cache.kind).toBe('memory');
    expect(cache.degraded).toBe(true);
    expect(warnings).toEqual([expect.stringContaining(`127.0.0.1:${port} unreachable`)]);
    // On its own, a replica still hears its own changes.
    const own = nextMessage(cache, 'logsieve:thresholds');
    await cache.publish('logsieve:thresholds', 'local');
    expect(await own).toBe('local');
    await cache.close();
  });

  it.skipIf(redisSkip !== null)('uses Redis when it is up', async () => {
    const cache = await openCache({ kind: 'redis', url: REDIS_URL });
    expect([cache.kind, cache.degraded]).toEqual(['redis', false]);
    await cache.close();
  });
});
