import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Config } from '../../config/config-schema';
import type { Principal } from '../rest-server';
import type { Role } from '../routes';
import { isRole, ROLES } from './api-keys';

export type JwtConfig = Config['auth']['jwt'];
/** Resolves a bearer JWT to a principal, or null when it does not verify. */
export type VerifyJwt = (token: string) => Promise<Principal | null>;

/** `logsieve_role: "editor"`, else the highest known entry of `roles: [...]`, else viewer. */
export function roleFromClaims(p: JWTPayload): Role {
  const direct = p['logsieve_role'];
  if (typeof direct === 'string' && isRole(direct)) return direct;
  const roles = p['roles'];
  if (Array.isArray(roles)) {
    for (const r of [...ROLES].reverse()) if (roles.includes(r)) return r;
  }
  return 'viewer';
}

/** null when neither a JWKS URL nor a shared secret is configured (JWTs are then refused). */
export function createJwtVerifier(cfg: JwtConfig): VerifyJwt | null {
  let key: Uint8Array | JWTVerifyGetKey;
  let algorithms: string[] | undefined;
  if (cfg.jwksUrl) {
    key = createRemoteJWKSet(new URL(cfg.jwksUrl));
  } else if (cfg.secret) {
    key = new TextEncoder().encode(cfg.secret);
    algorithms = ['HS256'];
  } else {
    return null;
  }
  const opts = {
    // jose checks `exp` only when present: a token without one would never expire.
    requiredClaims: ['exp'],
    ...(algorithms ? { algorithms } : {}),
    ...(cfg.issuer ? { issuer: cfg.issuer } : {}),
    ...(cfg.audience ? { audience: cfg.audience } : {}),
  };
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, key as JWTVerifyGetKey, opts);
      if (typeof payload.sub !== 'string' || payload.sub === '') return null;
      return { actor: payload.sub, role: roleFromClaims(payload) };
    } catch {
      // Expired, wrong signature, wrong issuer/audience, unreachable JWKS: all "invalid credentials".
      return null;
    }
  };
}
