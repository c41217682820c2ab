import type { RateLimited } from './rate-limiter';

const WINDOW_MS = 60_000;

/**
 * limits.authFailuresPerMinute: failed authentications (401) counted per remote address in a
 * fixed one-minute window. Once an address has used its budget, every request from it is refused
 * until the window ends, before its credentials are checked: answering valid guesses during the
 * lockout would keep guessing at full speed. Windows that have ended are forgotten, so memory
 * follows the addresses failing now.
 */
export class AuthFailureThrottle {
  private readonly windows = new Map<string, { failures: number; start: number }>();
  private lastSweep: number;

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(perMinute > 0)) throw new Error('auth failure budget must be positive');
    this.lastSweep = now();
  }

  /** Refused (with the wait until the window ends) when `address` has used its failure budget. */
  blocked(address: string): RateLimited | null {
    const t = this.now();
    this.sweep(t);
    const w = this.current(unmapped(address), t);
    if (!w || w.failures < this.perMinute) return null;
    return { retryAfterSeconds: Math.max(1, Math.ceil((w.start + WINDOW_MS - t) / 1000)) };
  }

  /** Records one failed authentication from `address`. */
  fail(address: string): void {
    const t = this.now();
    const key = unmapped(address);
    const w = this.current(key, t) ?? { failures: 0, start: t };
    w.failures += 1;
    this.windows.set(key, w);
  }

  /** Addresses tracked now (tests, and a bound on memory). */
  get size(): number {
    return this.windows.size;
  }

  private current(address: string, t: number) {
    const w = this.windows.get(address);
    return w && t - w.start < WINDOW_MS ? w : undefined;
  }

  private sweep(t: number): void {
    // Once a second keeps the cost per request constant; a window lasts a minute.
    if (t - this.lastSweep < 1000) return;
    this.lastSweep = t;
    for (const [a, w] of this.windows) if (t - w.start >= WINDOW_MS) this.windows.delete(a);
  }
}

/** One key per IPv4 caller whether a dual-stack socket reports it as ::ffff:a.b.c.d or a.b.c.d. */
function unmapped(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
