import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { Redis } from 'ioredis';
import { redisTls } from '../config/tls-files';
import type { Cache } from './cache';

export interface RedisCacheOptions {
  url: string;
  /** Put before every channel, so several deployments (or test runs) share one Redis. */
  prefix?: string;
  connectTimeoutMs?: number;
  /** A private CA for a rediss:// URL (cache.caFile); the system's CAs otherwise. */
  caFile?: string | null;
}

/** Redis pub/sub through ioredis: one connection to publish, one for subscriptions (Redis requires it). */
export class RedisCache implements Cache {
  readonly kind = 'redis' as const;
  readonly degraded = false;
  private readonly handlers = new Map<string, Set<(message: string) => void>>();

  private constructor(
    private readonly client: Redis,
    private readonly sub: Redis,
    private readonly prefix: string,
  ) {
    sub.on('message', (channel: string, message: string) => {
      for (const h of this.handlers.get(channel) ?? []) h(message);
    });
  }

  /** Rejects when Redis cannot be reached within the timeout. */
  static async connect(opts: RedisCacheOptions): Promise<RedisCache> {
    // rediss:// turns TLS on in ioredis; a tls object would turn it on for redis:// too.
    const tls = opts.url.startsWith('rediss://') ? redisTls(opts.caFile) : undefined;
    if (opts.url.startsWith('rediss://')) await checkTls(opts.url, tls ?? {}, opts.connectTimeoutMs ?? 3000);
    const make = () =>
      new Redis(opts.url, {
        ...(tls ? { tls } : {}),
        lazyConnect: true,
        connectTimeout: opts.connectTimeoutMs ?? 3000,
        maxRetriesPerRequest: 2,
        // Later outages: keep reconnecting with a capped delay; commands fail fast meanwhile.
        retryStrategy: (times) => Math.min(times * 200, 5000),
      });
    const client = make();
    const sub = make();
    // Connection errors surface through rejected commands; unhandled 'error' events would crash.
    client.on('error', () => {});
    sub.on('error', () => {});
    try {
      await Promise.all([client.connect(), sub.connect()]);
    } catch (err) {
      client.disconnect();
      sub.disconnect();
      throw err;
    }
    return new RedisCache(client, sub, opts.prefix ?? '');
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.client.publish(this.prefix + channel, message);
  }

  async subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>> {
    const ch = this.prefix + channel;
    let set = this.handlers.get(ch);
    if (!set) {
      set = new Set();
      this.handlers.set(ch, set);
      await this.sub.subscribe(ch);
    }
    set.add(handler);
    return async () => {
      set.delete(handler);
      if (set.size === 0 && this.handlers.get(ch) === set) {
        this.handlers.delete(ch);
        await this.sub.unsubscribe(ch);
      }
    };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.client.quit(), this.sub.quit()]);
  }
}

/**
 * ioredis listens once for an error on its socket, and a failed TLS handshake can raise two (the
 * verification failure, then the server's alert), which would crash the process. A handshake of
 * our own first turns a wrong CA or host name into an ordinary connect error.
 */
function checkTls(url: string, tls: ConnectionOptions, timeoutMs: number): Promise<void> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ ...tls, host: u.hostname, port: Number(u.port || 6379) }, () => {
      socket.end();
      resolve();
    });
    socket.on('error', (err) => {
      socket.destroy();
      reject(err);
    });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error(`TLS handshake with ${u.host} timed out`));
    });
  });
}
