import { backoffDelay, type BackoffOptions } from '../emit/backoff';
import type { Cache } from './cache';
import { MemoryCache } from './memory-cache';

interface Subscription {
  channel: string;
  handler: (message: string) => void;
  off: () => Promise<void>;
}

/**
 * The cache when Redis was unreachable at start: the in-process cache (marked `degraded`) while
 * a background loop keeps trying Redis with backoff; once it answers, the subscriptions move to
 * it and every call goes there, so the replica rejoins the others without a restart.
 */
export class FallbackCache implements Cache {
  private current: Cache = new MemoryCache(true);
  private readonly subs = new Set<Subscription>();
  private timer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private closed = false;

  constructor(
    private readonly connect: () => Promise<Cache>,
    private readonly o: { retry?: BackoffOptions; warn?: (message: string) => void } = {},
  ) {
    this.schedule();
  }

  get kind(): Cache['kind'] {
    return this.current.kind;
  }

  get degraded(): boolean {
    return this.current.degraded;
  }

  publish(channel: string, message: string): Promise<void> {
    return this.current.publish(channel, message);
  }

  async subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>> {
    const sub: Subscription = { channel, handler, off: await this.current.subscribe(channel, handler) };
    this.subs.add(sub);
    return async () => {
      this.subs.delete(sub);
      await sub.off();
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.current.close();
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => void this.reconnect(), backoffDelay(this.attempt++, this.o.retry));
    this.timer.unref();
  }

  private async reconnect(): Promise<void> {
    let redis: Cache;
    try {
      redis = await this.connect();
    } catch {
      return this.schedule();
    }
    if (this.closed) return redis.close();
    const memory = this.current;
    // Subscribed on Redis before leaving memory: no message published meanwhile is missed.
    for (const s of this.subs) {
      const off = await redis.subscribe(s.channel, s.handler);
      await s.off();
      s.off = off;
    }
    this.current = redis;
    await memory.close();
    this.o.warn?.('cache: Redis is reachable again; thresholds and model changes are shared again');
  }
}
