import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmod, chown } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../config/config-schema';
import { makeTestCerts, type TestCerts } from '../config/testing/test-certs';
import { binarySkipReason, waitFor } from '../emit/testing/daemon';
import { freePort } from '../emit/testing/free-port';
import {
  privatePostgresSkipReason,
  startPrivatePostgres,
  type PrivatePostgres,
} from '../faults/testing/private-postgres';
import { cacheOptions, openCache } from './open-cache';
import { PgClient } from './pg-client';

/*
 * TLS to the stores with real servers of the test's own: a redis-server with a TLS port and a
 * PostgreSQL with ssl=on, both using certificates made by openssl at test time. The machine's
 * shared PostgreSQL runs without SSL and the shared Redis without TLS, so they are not used.
 */

const redisSkip = binarySkipReason('/usr/bin/redis-server', 'redis-server');
const pgSkip = privatePostgresSkipReason();

let certs: TestCerts;
let otherCa: TestCerts;
beforeAll(() => {
  certs = makeTestCerts();
  otherCa = makeTestCerts();
});
afterAll(() => {
  certs?.remove();
  otherCa?.remove();
});

describe.skipIf(redisSkip !== null)('Redis over TLS (rediss:// with cache.caFile)', () => {
  let redis: ChildProcess;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    redis = spawn(
      '/usr/bin/redis-server',
      [
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--tls-cert-file',
        certs.files.serverCert,
        '--tls-key-file',
        certs.files.serverKey,
        '--tls-ca-cert-file',
        certs.files.ca,
        '--tls-auth-clients',
        'no',
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { stdio: 'ignore' },
    );
  });
  afterAll(async () => {
    if (redis && redis.exitCode === null) {
      const exited = new Promise((resolve) => redis.once('exit', resolve));
      redis.kill('SIGTERM');
      await exited;
    }
  });

  const cacheFor = (caFile: string) =>
    cacheOptions(configSchema.parse({ cache: { kind: 'redis', url: `rediss://localhost:${port}`, caFile } }));

  it('connects through TLS with the private CA and refuses a server the CA did not sign', async () => {
    const warnings: string[] = [];
    const cache = await waitFor(
      async () => {
        const c = await openCache(cacheFor(certs.files.ca), (m) => warnings.push(m));
        if (c.kind === 'redis') return c;
        await c.close();
        return undefined;
      },
      20_000,
      'redis-server with TLS',
    );
    // A message round trip over the TLS connections.
    const heard: string[] = [];
    await cache.subscribe('tls-check', (m) => heard.push(m));
    await cache.publish('tls-check', 'ok');
    await waitFor(async () => (heard.includes('ok') ? true : undefined), 5000, 'the message over TLS');
    await cache.close();
    const wrong = await openCache(cacheFor(otherCa.files.ca), (m) => warnings.push(m));
    expect(wrong.kind).toBe('memory');
    expect(warnings.at(-1)).toMatch(/unreachable \(.*certificate/);
    await wrong.close();
  }, 40_000);
});

describe.skipIf(pgSkip !== null)('PostgreSQL with sslmode (storage.url)', () => {
  let server: PrivatePostgres;

  beforeAll(async () => {
    server = await startPrivatePostgres();
    // Under root the server runs as `postgres`, which must be able to read its key (and only it).
    await chmod(certs.dir, 0o755);
    if (userInfo().uid === 0) {
      const pgUid = Number(execFileSync('id', ['-u', 'postgres']).toString());
      await chown(certs.files.serverKey, pgUid, 0);
    }
    await chmod(certs.files.serverKey, 0o600);
    const admin = new PgClient({ url: server.url, max: 1 });
    await admin.exec(`ALTER SYSTEM SET ssl_cert_file = '${certs.files.serverCert}'`);
    await admin.exec(`ALTER SYSTEM SET ssl_key_file = '${certs.files.serverKey}'`);
    await admin.exec(`ALTER SYSTEM SET ssl = on`);
    await admin.query('SELECT pg_reload_conf()');
    await admin.close();
  }, 90_000);
  afterAll(async () => {
    await server?.destroy();
  }, 60_000);

  async function sslOf(params: string): Promise<boolean> {
    const client = new PgClient({ url: `${server.url}?${params}`, max: 1 });
    try {
      const { rows } = await client.query<{ ssl: boolean }>(
        'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
      );
      return rows[0]!.ssl;
    } finally {
      await client.close();
    }
  }

  it('encrypts with sslmode=verify-full and sslrootcert, and refuses a server of another CA', async () => {
    const verified = `sslmode=verify-full&sslrootcert=${encodeURIComponent(certs.files.ca)}`;
    expect(
      await waitFor(async () => ((await sslOf(verified)) ? true : undefined), 20_000, 'ssl=on after reload'),
    ).toBe(true);
    expect(await sslOf('sslmode=disable')).toBe(false);
    await expect(
      sslOf(`sslmode=verify-full&sslrootcert=${encodeURIComponent(otherCa.files.ca)}`),
    ).rejects.toThrow(/certificate/);
  }, 40_000);
});
