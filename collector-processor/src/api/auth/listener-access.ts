import type { Config } from '../../config/config-schema';
import type { ApiKeyStore } from '../../store/api-key-store';
import type { Authenticate } from '../rest-server';
import { createListenerGuard, type ListenerGuard } from './admission';
import { AuthFailureThrottle } from './auth-failure-throttle';
import { createHeaderCheck } from './authenticator';
import { RateLimiter } from './rate-limiter';

export interface ListenerAccess {
  /** The REST server's check; absent with auth off. */
  authenticate?: Authenticate;
  /** OTLP/HTTP and OTLP/gRPC: credentials (anonymous with auth off) and the rate limit. */
  push: ListenerGuard;
  /** The metrics listener: credentials only (scrapes are not rate limited); absent with auth off. */
  scrape?: ListenerGuard;
  /** limits.rateLimitPerKey, one bucket per principal across REST and OTLP; null when 0. */
  rateLimiter: RateLimiter | null;
  /** limits.authFailuresPerMinute, one budget per remote address across all listeners; null when 0 or auth off. */
  authThrottle: AuthFailureThrottle | null;
}

/** auth.*, limits.rateLimitPerKey and limits.authFailuresPerMinute for every listener, sharing one credential check. */
export function listenerAccess(
  config: Pick<Config, 'auth' | 'limits'>,
  keys: Pick<ApiKeyStore, 'verify'>,
): ListenerAccess {
  const check = config.auth.enabled ? createHeaderCheck({ config, keys }) : undefined;
  const rateLimiter =
    config.limits.rateLimitPerKey > 0 ? new RateLimiter(config.limits.rateLimitPerKey) : null;
  const authThrottle =
    check && config.limits.authFailuresPerMinute > 0
      ? new AuthFailureThrottle(config.limits.authFailuresPerMinute)
      : null;
  return {
    ...(check
      ? { authenticate: (req) => check(req.headers), scrape: createListenerGuard({ check, authThrottle }) }
      : {}),
    push: createListenerGuard({ check, rateLimiter, authThrottle }),
    rateLimiter,
    authThrottle,
  };
}
