import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role } from '../routes';

/** `lsk_<id>_<secret>`: the id finds the row, only the secret is hashed. */
export const API_KEY_PREFIX = 'lsk_';
const KEY_RE = /^lsk_([A-Za-z0-9-]{8,32})_([A-Za-z0-9_-]{20,})$/;

export const ROLES: readonly Role[] = ['viewer', 'editor', 'admin'];

export function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}

export interface ParsedApiKey {
  id: string;
  secret: string;
}

/** Ids are hex so that `_` in the base64url secret cannot be confused with the separator. */
export function generateApiKey(): { id: string; secret: string; key: string } {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(24).toString('base64url');
  return { id, secret, key: `${API_KEY_PREFIX}${id}_${secret}` };
}

export function parseApiKey(key: string): ParsedApiKey | null {
  const m = KEY_RE.exec(key);
  return m ? { id: m[1]!, secret: m[2]! } : null;
}

/**
 * Salted SHA-256: the secrets are 192 random bits, so a slow password hash would add per-request
 * cost without making guessing any harder.
 */
export function hashSecret(secret: string, salt: Buffer): Buffer {
  return createHash('sha256').update(salt).update(secret).digest();
}

export function newSalt(): Buffer {
  return randomBytes(16);
}

/** Constant-time comparison of the secret's hash with the stored one. */
export function secretMatches(secret: string, salt: Buffer, hash: Buffer): boolean {
  const got = hashSecret(secret, salt);
  return got.length === hash.length && timingSafeEqual(got, hash);
}
