import type { Principal } from '../api/rest-server';
import type { Role } from '../api/routes';
import { generateApiKey, hashSecret, newSalt, parseApiKey, secretMatches } from '../api/auth/api-keys';
import type { SqlQueryable } from './sql-client';

export interface ApiKeyInfo {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

interface KeyRow {
  id: string;
  name: string;
  role: Role;
  salt: Uint8Array;
  hash: Uint8Array;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());
/** last_used_at is written at most this often per key, so verification stays a read. */
const TOUCH_EVERY_MS = 60_000;

const info = (r: KeyRow): ApiKeyInfo => ({
  id: r.id,
  name: r.name,
  role: r.role,
  createdAt: iso(r.created_at)!,
  lastUsedAt: iso(r.last_used_at),
  revokedAt: iso(r.revoked_at),
});

/** API keys in the service's SQL database (PostgreSQL or PGlite); secrets only as salted hashes. */
export class ApiKeyStore {
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly db: SqlQueryable,
    private readonly now: () => number = Date.now,
  ) {}

  /** Returns the plaintext key: the only time it exists outside the caller's hands. */
  async create(name: string, role: Role): Promise<{ key: string; info: ApiKeyInfo }> {
    const { id, secret, key } = generateApiKey();
    const salt = newSalt();
    const hash = hashSecret(secret, salt);
    const { rows } = await this.db.query<KeyRow>(
      'INSERT INTO api_keys (id, name, role, salt, hash) VALUES ($1, $2, $3, $4, $5) RETURNING *',
      [id, name, role, salt, hash],
    );
    return { key, info: info(rows[0]!) };
  }

  /** All keys, revoked ones included, oldest first; never the hashes. */
  async list(): Promise<ApiKeyInfo[]> {
    const { rows } = await this.db.query<KeyRow>('SELECT * FROM api_keys ORDER BY created_at, id');
    return rows.map(info);
  }

  /** null when there is no such key; revoking twice keeps the first time. */
  async revoke(id: string): Promise<ApiKeyInfo | null> {
    const { rows } = await this.db.query<KeyRow>(
      'UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING *',
      [id],
    );
    return rows[0] ? info(rows[0]) : null;
  }

  /** The key's principal, or null when it is malformed, unknown, revoked or wrong. */
  async verify(key: string): Promise<Principal | null> {
    const parsed = parseApiKey(key);
    if (!parsed) return null;
    const { rows } = await this.db.query<KeyRow>('SELECT * FROM api_keys WHERE id = $1', [parsed.id]);
    const row = rows[0];
    if (!row || row.revoked_at !== null) return null;
    if (!secretMatches(parsed.secret, Buffer.from(row.salt), Buffer.from(row.hash))) return null;
    const t = this.now();
    if (t - (this.touched.get(row.id) ?? -Infinity) >= TOUCH_EVERY_MS) {
      this.touched.set(row.id, t);
      await this.db.query('UPDATE api_keys SET last_used_at = $2 WHERE id = $1', [
        row.id,
        new Date(t).toISOString(),
      ]);
    }
    return { actor: `key:${row.name}`, role: row.role };
  }
}
