import { describe, expect, it } from 'vitest';
import { admit, admitCaller, ANONYMOUS, createListenerGuard } from './admission';
import { AuthFailureThrottle } from './auth-failure-throttle';
import { createHeaderCheck } from './authenticator';
import { RateLimiter } from './rate-limiter';

const viewer = { actor: 'v', role: 'viewer' } as const;

describe('admit', () => {
  it('answers 401 for missing or wrong credentials, 403 for a low role, 429 over the rate', () => {
    expect(admit(null, 'viewer').refusal).toMatchObject({ status: 401, message: 'credentials required' });
    expect(admit('invalid', 'viewer').refusal).toMatchObject({ status: 401, message: 'invalid credentials' });
    expect(admit(viewer, 'editor').refusal).toMatchObject({ status: 403, reason: 'unauthorized' });
    const limiter = new RateLimiter(1, () => 0);
    expect(admit(viewer, 'viewer', limiter)).toEqual({ principal: viewer });
    expect(admit(viewer, 'viewer', limiter).refusal).toMatchObject({
      status: 429,
      reason: 'rate_limited',
      retryAfterSeconds: 1,
    });
    // Refused callers spend no tokens: a 401/403 flood cannot use up a valid key's rate.
    const other = new RateLimiter(1, () => 0);
    admit(viewer, 'admin', other);
    expect(admit(viewer, 'viewer', other).refusal).toBeUndefined();
  });
});

describe('createListenerGuard', () => {
  it('checks the credential headers a Collector exporter sends', async () => {
    const check = createHeaderCheck({
      config: {
        auth: {
          enabled: true,
          apiKeys: ['editor:editor-key-0123456789abcdefghij'],
          jwt: { jwksUrl: null, secret: null, issuer: null, audience: null },
        },
      },
      // Only configured keys are used here; no database keys exist.
      keys: { verify: async () => null },
    });
    const guard = createListenerGuard({ check });
    expect((await guard({ 'x-api-key': 'editor-key-0123456789abcdefghij' }, 'editor')).principal).toEqual({
      actor: 'config-key:0',
      role: 'editor',
    });
    expect(
      (await guard({ Authorization: 'Bearer editor-key-0123456789abcdefghij' }, 'admin')).refusal?.status,
    ).toBe(403);
    expect((await guard({}, 'viewer')).refusal?.status).toBe(401);
  });

  it('admits everyone as anonymous with auth off, still rate limited', async () => {
    const guard = createListenerGuard({ rateLimiter: new RateLimiter(1, () => 0) });
    expect((await guard({}, 'admin')).principal).toEqual(ANONYMOUS);
    expect((await guard({}, 'admin')).refusal?.status).toBe(429);
  });
});

describe('admitCaller with limits.authFailuresPerMinute', () => {
  it('spends the budget on 401s only, then refuses the address before checking its credentials', async () => {
    const authThrottle = new AuthFailureThrottle(2, () => 0);
    let checked = 0;
    const as = (r: Parameters<typeof admit>[0]) => async () => (checked++, r);
    const o = { authThrottle, remote: '192.0.2.7' };
    expect((await admitCaller(as('invalid'), 'viewer', o)).refusal?.status).toBe(401);
    expect((await admitCaller(as(viewer), 'admin', o)).refusal?.status).toBe(403);
    expect((await admitCaller(as(null), 'viewer', o)).refusal?.status).toBe(401);
    const blocked = await admitCaller(as(viewer), 'viewer', o);
    expect(blocked.refusal).toMatchObject({ status: 429, reason: 'auth_throttled', retryAfterSeconds: 60 });
    expect(checked).toBe(3);
    expect((await admitCaller(as(viewer), 'viewer', { ...o, remote: '192.0.2.8' })).principal).toEqual(
      viewer,
    );
  });
});
