import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config/config-schema';
import type { ApiKeyStore } from '../../store/api-key-store';
import type { Authenticate, Principal } from '../rest-server';
import { API_KEY_PREFIX, isRole } from './api-keys';
import { createJwtVerifier } from './jwt';

export type AuthResult = Principal | null | 'invalid';
/** Checks a header record (REST, OTLP/HTTP, gRPC metadata, metrics): the one credential rule everywhere. */
export type CheckHeaders = (headers: Record<string, string | string[] | undefined>) => Promise<AuthResult>;

export interface AuthenticatorOptions {
  config: Pick<Config, 'auth'>;
  keys: Pick<ApiKeyStore, 'verify'>;
}

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
const digest = (s: string) => createHash('sha256').update(s).digest();

/** `Authorization: Bearer <token>` or `X-API-Key: <key>`; header names in any case. */
export function credentialFrom(headers: Record<string, string | string[] | undefined>): string | null {
  let auth: string | undefined;
  let apiKey: string | undefined;
  for (const [name, value] of Object.entries(headers)) {
    const n = name.toLowerCase();
    if (n === 'authorization') auth = first(value);
    else if (n === 'x-api-key') apiKey = first(value);
  }
  if (apiKey?.trim()) return apiKey.trim();
  if (auth === undefined) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
  // A present but unusable Authorization header is a wrong credential, not a missing one.
  return m ? m[1]! : '';
}

/** Short enough to be a placeholder (the shipped Secret says CHANGE_ME) or guessable. */
export const MIN_STATIC_KEY_LENGTH = 24;

/**
 * `auth.apiKeys` entries, `<role>:<key>` or a bare key (admin): keys handed in through config or a
 * Kubernetes Secret instead of the database. Compared as digests so the check takes constant time.
 */
function staticKeys(entries: string[]): { digest: Buffer; role: Principal['role']; n: number }[] {
  return entries.map((e, n) => {
    const i = e.indexOf(':');
    const role = i > 0 ? e.slice(0, i) : '';
    const [key, r] = isRole(role) ? [e.slice(i + 1), role] : [e, 'admin' as const];
    if (key.length < MIN_STATIC_KEY_LENGTH)
      throw new Error(`auth.apiKeys[${n}]: keys must be at least ${MIN_STATIC_KEY_LENGTH} characters`);
    return { digest: digest(key), role: r, n };
  });
}

/** Throws when a configured key is unusable, so a placeholder never becomes a working key. */
export function createHeaderCheck(o: AuthenticatorOptions): CheckHeaders {
  const jwt = createJwtVerifier(o.config.auth.jwt);
  const fixed = staticKeys(o.config.auth.apiKeys);
  return async (headers) => {
    const cred = credentialFrom(headers);
    if (cred === null) return null;
    if (cred === '') return 'invalid';
    const d = digest(cred);
    const hit = fixed.find((k) => timingSafeEqual(k.digest, d));
    if (hit) return { actor: `config-key:${hit.n}`, role: hit.role };
    if (cred.startsWith(API_KEY_PREFIX)) return (await o.keys.verify(cred)) ?? 'invalid';
    return (jwt && (await jwt(cred))) ?? 'invalid';
  };
}

/** The REST server's `authenticate` option. */
export function createAuthenticator(o: AuthenticatorOptions): Authenticate {
  const check = createHeaderCheck(o);
  return (req: FastifyRequest) => check(req.headers);
}
