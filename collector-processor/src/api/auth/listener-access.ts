import type { Config } from '../../config/config-schema';
import type { ApiKeyStore } from '../../store/api-key-store';
import type { Authenticate } from '../rest-server';
import { createListenerGuard, type ListenerGuard } from './admission';
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
}

/** auth.* and limits.rateLimitPerKey for every listener, sharing one credential check. */
export function listenerAccess(
  config: Pick<Config, 'auth' | 'limits'>,
  keys: Pick<ApiKeyStore, 'verify'>,
): ListenerAccess {
  const check = config.auth.enabled ? createHeaderCheck({ config, keys }) : undefined;
  const rateLimiter =
    config.limits.rateLimitPerKey > 0 ? new RateLimiter(config.limits.rateLimitPerKey) : null;
  return {
    ...(check ? { authenticate: (req) => check(req.headers), scrape: createListenerGuard({ check }) } : {}),
    push: createListenerGuard({ check, rateLimiter }),
    rateLimiter,
  };
}
