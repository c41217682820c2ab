/** Refused: how long until a request would be allowed (the Retry-After header, whole seconds). */
export interface RateLimited {
  retryAfterSeconds: number;
}

/**
 * limits.rateLimitPerKey: a token bucket per principal, refilled at `perSecond` tokens a second
 * and holding one second's worth (at least one token), so a quiet key may burst that much.
 * Buckets that have refilled completely carry no state and are forgotten, so memory follows the
 * active keys only.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly capacity: number;
  private lastSweep: number;

  constructor(
    readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(perSecond > 0)) throw new Error('rate limit must be positive');
    this.capacity = Math.max(1, perSecond);
    this.lastSweep = now();
  }

  /** Takes one token for `key`; null when allowed. */
  take(key: string): RateLimited | null {
    const t = this.now();
    this.sweep(t);
    const b = this.buckets.get(key) ?? { tokens: this.capacity, at: t };
    b.tokens = Math.min(this.capacity, b.tokens + ((t - b.at) / 1000) * this.perSecond);
    b.at = t;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return null;
    }
    return { retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond)) };
  }

  /** Keys tracked now (tests, and a bound on memory). */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(t: number): void {
    // A full refill takes about a second; sweeping at that pace keeps the cost per request constant.
    if (t - this.lastSweep < 1000) return;
    this.lastSweep = t;
    for (const [k, b] of this.buckets)
      if (b.tokens + ((t - b.at) / 1000) * this.perSecond >= this.capacity) this.buckets.delete(k);
  }
}
