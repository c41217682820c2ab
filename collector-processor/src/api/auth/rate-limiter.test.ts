import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter';

describe('RateLimiter (token bucket per key)', () => {
  it('allows a second worth of requests at once, then refills at the configured rate', () => {
    let now = 0;
    const limiter = new RateLimiter(5, () => now);
    const burst = Array.from({ length: 7 }, () => limiter.take('k'));
    expect(burst.filter((r) => r === null)).toHaveLength(5);
    expect(burst[5]).toEqual({ retryAfterSeconds: 1 });
    now += 200; // one token back at 5/s
    expect(limiter.take('k')).toBeNull();
    expect(limiter.take('k')).not.toBeNull();
  });

  it('keeps one bucket per key', () => {
    const limiter = new RateLimiter(1, () => 0);
    expect(limiter.take('a')).toBeNull();
    expect(limiter.take('a')).not.toBeNull();
    expect(limiter.take('b')).toBeNull();
  });

  it('advises the wait a slow rate needs, in whole seconds', () => {
    let now = 0;
    const limiter = new RateLimiter(0.25, () => now);
    expect(limiter.take('k')).toBeNull();
    expect(limiter.take('k')).toEqual({ retryAfterSeconds: 4 });
    now += 3000;
    expect(limiter.take('k')).toEqual({ retryAfterSeconds: 1 });
  });

  it('forgets keys whose bucket has refilled', () => {
    let now = 0;
    const limiter = new RateLimiter(10, () => now);
    for (let i = 0; i < 100; i++) limiter.take(`key-${i}`);
    expect(limiter.size).toBe(100);
    now += 1500;
    limiter.take('other');
    expect(limiter.size).toBe(1);
  });
});
