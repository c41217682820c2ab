import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseApiKey } from '../api/auth/api-keys';
import { ApiKeyStore } from './api-key-store';
import { migrate } from './migrate';
import { PgClient } from './pg-client';
import { PgliteClient } from './pglite-client';
import type { SqlClient } from './sql-client';
import { createTestSchema } from './testing/test-postgres';

const pgSchema = await createTestSchema();
if (typeof pgSchema === 'string') console.warn(`skipping PostgreSQL API key tests: ${pgSchema}`);
const pgTarget = typeof pgSchema === 'string' ? null : pgSchema;

const backends: { name: string; skip: boolean; connect: () => Promise<SqlClient> }[] = [
  { name: 'pglite', skip: false, connect: () => PgliteClient.open() },
  {
    name: 'postgres',
    skip: pgTarget === null,
    connect: async () => new PgClient({ url: pgTarget!.url, schema: pgTarget!.schema }),
  },
];

afterAll(async () => {
  await pgTarget?.drop();
});

describe.each(backends)('ApiKeyStore on $name', ({ skip, connect }) => {
  let db: SqlClient;
  let clock = Date.UTC(2026, 10, 24, 12, 0, 0);
  let store: ApiKeyStore;

  beforeAll(async () => {
    if (skip) return;
    db = await connect();
    await migrate(db);
    store = new ApiKeyStore(db, () => clock);
  }, 60_000);
  afterAll(async () => {
    await db?.close();
  });

  it.skipIf(skip)('verifies a created key to its principal and keeps only a hash', async () => {
    const { key, info } = await store.create('ci bot', 'editor');
    expect(info).toMatchObject({ name: 'ci bot', role: 'editor', lastUsedAt: null, revokedAt: null });
    expect(await store.verify(key)).toEqual({ actor: 'key:ci bot', role: 'editor' });
    const { rows } = await db.query<{ hash: Uint8Array }>('SELECT hash FROM api_keys WHERE id = $1', [
      info.id,
    ]);
    expect(Buffer.from(rows[0]!.hash).toString('utf8')).not.toContain(parseApiKey(key)!.secret);
  });

  it.skipIf(skip)('refuses wrong secrets, unknown ids and malformed keys', async () => {
    const { key, info } = await store.create('viewer', 'viewer');
    const last = key.at(-1) === 'A' ? 'B' : 'A';
    expect(await store.verify(key.slice(0, -1) + last)).toBeNull();
    expect(await store.verify(key.replace(info.id, '0000000000000000'))).toBeNull();
    expect(await store.verify('not-a-key')).toBeNull();
  });

  it.skipIf(skip)('lists without secrets, and revoked keys stop verifying', async () => {
    const { key, info } = await store.create('temp', 'admin');
    expect(await store.verify(key)).not.toBeNull();
    const revoked = await store.revoke(info.id);
    expect(revoked?.revokedAt).not.toBeNull();
    expect(await store.verify(key)).toBeNull();
    expect(await store.revoke('ffffffffffffffff')).toBeNull();
    const listed = await store.list();
    expect(listed.find((k) => k.id === info.id)?.revokedAt).toBe(revoked!.revokedAt);
    expect(JSON.stringify(listed)).not.toMatch(/hash|salt/);
    expect(JSON.stringify(listed)).not.toContain(parseApiKey(key)!.secret);
  });

  it.skipIf(skip)('writes last_used_at at most once a minute per key', async () => {
    const { key, info } = await store.create('touch', 'viewer');
    const lastUsed = async () => (await store.list()).find((k) => k.id === info.id)!.lastUsedAt;
    const t0 = clock;
    await store.verify(key);
    expect(await lastUsed()).toBe(new Date(t0).toISOString());
    clock += 30_000;
    await store.verify(key);
    expect(await lastUsed()).toBe(new Date(t0).toISOString());
    clock += 31_000;
    await store.verify(key);
    expect(await lastUsed()).toBe(new Date(clock).toISOString());
  });
});
