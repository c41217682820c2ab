import { describe, expect, it } from 'vitest';
import { AuthFailureThrottle } from './auth-failure-throttle';

describe('AuthFailureThrottle (failed authentications per remote address)', () => {
  it('blocks an address once it has used its budget, until the minute ends', () => {
    let now = 0;
    const t = new AuthFailureThrottle(3, () => now);
    for (let i = 0; i < 3; i++) {
      expect(t.blocked('10.0.0.1')).toBeNull();
      t.fail('10.0.0.1');
    }
    now = 20_000;
    expect(t.blocked('10.0.0.1')).toEqual({ retryAfterSeconds: 40 });
    expect(t.blocked('10.0.0.2')).toBeNull();
    now = 60_000;
    expect(t.blocked('10.0.0.1')).toBeNull();
  });

  it('counts an IPv4 caller once, whether reported plain or IPv4-mapped', () => {
    const t = new AuthFailureThrottle(2, () => 0);
    t.fail('127.0.0.1');
    t.fail('::ffff:127.0.0.1');
    expect(t.blocked('127.0.0.1')).not.toBeNull();
  });

  it('starts a fresh budget in the next window', () => {
    let now = 0;
    const t = new AuthFailureThrottle(2, () => now);
    t.fail('a');
    now = 59_000;
    t.fail('a');
    expect(t.blocked('a')).not.toBeNull();
    now = 61_000;
    t.fail('a');
    expect(t.blocked('a')).toBeNull();
  });

  it('forgets addresses whose window has ended', () => {
    let now = 0;
    const t = new AuthFailureThrottle(5, () => now);
    for (let i = 0; i < 100; i++) t.fail(`192.0.2.${i}`);
    expect(t.size).toBe(100);
    now = 61_000;
    t.blocked('other');
    expect(t.size).toBe(0);
  });
});
