import type { Principal } from '../rest-server';
import type { Role } from '../routes';
import type { AuthResult, CheckHeaders } from './authenticator';
import type { RateLimiter } from './rate-limiter';

/*
 * The one decision every listener makes before serving a request: who is calling, may they, and
 * are they within their rate. REST, OTLP/HTTP, OTLP/gRPC and the metrics listener all answer from
 * it, each in its own protocol.
 */

export interface Refusal {
  /** 401: no or wrong credentials; 403: role too low; 429: over limits.rateLimitPerKey. */
  status: 401 | 403 | 429;
  /** The `reason` label of logsieve_ingest_rejected_total. */
  reason: 'unauthorized' | 'rate_limited';
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

export type Headers = Record<string, string | string[] | undefined>;
/** Admits a request to a data listener from its headers (HTTP) or metadata (gRPC). */
export type ListenerGuard = (headers: Headers, need: Role) => Promise<Admission>;

export interface ListenerGuardOptions {
  /** Absent = auth.enabled false: everyone is ANONYMOUS. */
  check?: CheckHeaders;
  rateLimiter?: RateLimiter | null;
}

export function createListenerGuard(o: ListenerGuardOptions): ListenerGuard {
  return async (headers, need) => admit(o.check ? await o.check(headers) : ANONYMOUS, need, o.rateLimiter);
}
