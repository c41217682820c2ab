import type { Principal } from '../rest-server';
import type { Role } from '../routes';
import type { AuthFailureThrottle } from './auth-failure-throttle';
import type { AuthResult, CheckHeaders } from './authenticator';
import type { RateLimiter } from './rate-limiter';

/*
 * The one decision every listener makes before serving a request: who is calling, may they, and
 * are they within their rate. REST, OTLP/HTTP, OTLP/gRPC and the metrics listener all answer from
 * it, each in its own protocol.
 */

export interface Refusal {
  /**
   * 401: no or wrong credentials; 403: role too low; 429: over limits.rateLimitPerKey, or the
   * caller's address over limits.authFailuresPerMinute.
   */
  status: 401 | 403 | 429;
  /** The `reason` label of logsieve_ingest_rejected_total. */
  reason: 'unauthorized' | 'rate_limited' | 'auth_throttled';
  message: string;
  retryAfterSeconds?: number;
}

export type Admission =
  { principal: Principal; refusal?: undefined } | { principal?: undefined; refusal: Refusal };

/** Who calls while auth.enabled is false (only allowed on loopback). */
export const ANONYMOUS: Principal = { actor: 'anonymous', role: 'admin' };

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

export function hasRole(p: Principal, need: Role): boolean {
  return RANK[p.role] >= RANK[need];
}

/** Rate limiting counts only admitted principals: refusing 401s costs nothing worth a bucket. */
export function admit(result: AuthResult, need: Role, limiter?: RateLimiter | null): Admission {
  if (result === null || result === 'invalid') {
    const message = result === null ? 'credentials required' : 'invalid credentials';
    return { refusal: { status: 401, reason: 'unauthorized', message } };
  }
  if (!hasRole(result, need))
    return { refusal: { status: 403, reason: 'unauthorized', message: `this needs the ${need} role` } };
  const limited = limiter?.take(result.actor);
  if (limited) {
    return {
      refusal: {
        status: 429,
        reason: 'rate_limited',
        message: `over limits.rateLimitPerKey (${limiter!.perSecond}/s)`,
        retryAfterSeconds: limited.retryAfterSeconds,
      },
    };
  }
  return { principal: result };
}

export interface CallerLimits {
  rateLimiter?: RateLimiter | null;
  /** limits.authFailuresPerMinute, keyed by `remote`; none = failures are not throttled. */
  authThrottle?: AuthFailureThrottle | null;
  /** The caller's address (socket peer); without it failures are not throttled. */
  remote?: string;
}

/**
 * admit() behind the failure throttle: an address over its budget is refused before its
 * credentials are checked, and every 401 spends from its budget.
 */
export async function admitCaller(
  authenticate: () => Promise<AuthResult>,
  need: Role,
  o: CallerLimits,
): Promise<Admission> {
  const throttle = o.remote === undefined ? null : o.authThrottle;
  const blocked = throttle?.blocked(o.remote!);
  if (blocked) {
    const message = `too many failed authentications from this address (limits.authFailuresPerMinute ${throttle!.perMinute})`;
    return { refusal: { status: 429, reason: 'auth_throttled', message, ...blocked } };
  }
  const a = admit(await authenticate(), need, o.rateLimiter);
  if (a.refusal?.status === 401) throttle?.fail(o.remote!);
  return a;
}

export type Headers = Record<string, string | string[] | undefined>;
/** Admits a request to a data listener from its headers (HTTP) or metadata (gRPC) and peer address. */
export type ListenerGuard = (headers: Headers, need: Role, remote?: string) => Promise<Admission>;

export interface ListenerGuardOptions extends Omit<CallerLimits, 'remote'> {
  /** Absent = auth.enabled false: everyone is ANONYMOUS. */
  check?: CheckHeaders;
}

export function createListenerGuard(o: ListenerGuardOptions): ListenerGuard {
  const { check } = o;
  const authenticate = check ? (headers: Headers) => check(headers) : async () => ANONYMOUS;
  return (headers, need, remote) => admitCaller(() => authenticate(headers), need, { ...o, remote });
}
