import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyStore } from '../store/api-key-store';
import { migrate } from '../store/migrate';
import { PgliteClient } from '../store/pglite-client';
import { SqlStorage } from '../store/sql-storage';
import { CliError } from './cli-error';
import { createKey, listKeys, revokeKey, type KeyAdmin } from './keys';

describe('keys commands', () => {
  let db: PgliteClient;
  let admin: KeyAdmin & { store: ApiKeyStore; storage: SqlStorage };

  beforeAll(async () => {
    db = await PgliteClient.open();
    await migrate(db);
    const store = new ApiKeyStore(db);
    const storage = new SqlStorage(db);
    admin = { keys: store, audit: storage, store, storage };
  }, 60_000);
  afterAll(() => db?.close());

  it('creates a working key, prints it once, lists it without it, revokes it; all audited', async () => {
    const out = await createKey(admin, 'grafana', 'viewer');
    const key = out.split('\n')[0]!;
    expect(key).toMatch(/^lsk_/);
    expect(await admin.store.verify(key)).toEqual({ actor: 'key:grafana', role: 'viewer' });
    const id = key.split('_')[1]!;

    const listed = await listKeys(admin, false);
    expect(listed).toContain(id);
    expect(listed).toContain('grafana');
    expect(listed).not.toContain(key);
    expect(JSON.parse(await listKeys(admin, true))).toHaveLength(1);

    expect(await revokeKey(admin, id)).toContain(`revoked ${id}`);
    expect(await admin.store.verify(key)).toBeNull();
    expect(await listKeys(admin, false)).toContain('revoked');

    const audit = await admin.storage.listAudit({ limit: 10, offset: 0 });
    const actions = audit.items.map((e) => `${e.action} ${e.target}`).sort();
    expect(actions).toEqual([`api_key.create ${id}`, `api_key.revoke ${id}`]);
    // Who ran the command, and what the key became.
    expect(audit.items.every((e) => e.actor === `cli:${userInfo().username}`)).toBe(true);
    const revoked = audit.items.find((e) => e.action === 'api_key.revoke')!;
    expect(revoked.after).toMatchObject({ name: 'grafana', role: 'viewer', revokedAt: expect.any(String) });
    expect(JSON.stringify(audit.items)).not.toContain(key);
  });

  it('refuses bad input with a CLI error and no side effects', async () => {
    const before = (await admin.store.list()).length;
    await expect(createKey(admin, 'x', 'root')).rejects.toThrow(CliError);
    await expect(createKey(admin, '  ', 'admin')).rejects.toThrow(/--name/);
    await expect(revokeKey(admin, 'ffffffffffffffff')).rejects.toThrow(/no API key with id/);
    expect(await admin.store.list()).toHaveLength(before);
  });
});

describe('logsieve keys (the binary)', () => {
  const main = path.join(path.dirname(fileURLToPath(import.meta.url)), 'main.ts');
  const tsx = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../node_modules/.bin/tsx');
  let dir: string;
  const run = (...args: string[]) =>
    promisify(execFile)(tsx, [main, 'keys', ...args, '--data-dir', dir], { env: { ...process.env, CI: '' } });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'logsieve-keys-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('persists keys under the data dir across invocations and exits non-zero on bad input', async () => {
    const created = await run('create', '--name', 'ops', '--role', 'admin');
    const id = created.stdout.split('\n')[0]!.split('_')[1]!;
    expect((await run('list')).stdout).toMatch(new RegExp(`${id}\\s+admin\\s+active`));
    expect((await run('revoke', id)).stdout).toContain('revoked');
    const bad = await run('create', '--name', 'x', '--role', 'root').catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(bad).toMatchObject({ code: 1 });
    expect((bad as { stderr: string }).stderr.trim()).toBe(
      'logsieve: --role must be one of viewer, editor, admin',
    );
  }, 120_000);
});
