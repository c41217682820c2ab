import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyStore } from '../../store/api-key-store';
import { migrate } from '../../store/migrate';
import { PgliteClient } from '../../store/pglite-client';
import { buildRestServer } from '../rest-server';
import type { Role } from '../routes';
import { createAuthenticator } from './authenticator';
import { memoryBackend } from './testing/memory-backend';

/*
 * Every operation of the served OpenAPI document, called with no, wrong, viewer, editor and admin
 * credentials. The expected role per operation is kept here, apart from routes.ts, so a route that
 * changes its role, or a new route nobody classified, fails this test.
 */
const EXPECTED: Record<string, Role | 'open'> = {
  'GET /healthz': 'open',
  'GET /readyz': 'open',
  'GET /api/v1/health': 'viewer',
  'GET /api/v1/anomalies': 'viewer',
  'GET /api/v1/anomalies/{id}': 'viewer',
  'POST /api/v1/anomalies/{id}/feedback': 'editor',
  'DELETE /api/v1/anomalies/{id}/feedback': 'editor',
  'GET /api/v1/streams': 'viewer',
  'GET /api/v1/templates': 'viewer',
  'GET /api/v1/thresholds': 'viewer',
  'PUT /api/v1/thresholds/global': 'editor',
  'PUT /api/v1/thresholds/streams/{stream}': 'editor',
  'DELETE /api/v1/thresholds/streams/{stream}': 'editor',
  'POST /api/v1/thresholds/preview': 'viewer',
  'GET /api/v1/models': 'viewer',
  'POST /api/v1/models/{version}/activate': 'admin',
  'POST /api/v1/models/rollback': 'admin',
  'POST /api/v1/models/retrain': 'admin',
  'GET /api/v1/audit': 'viewer',
  'POST /api/v1/logs': 'editor',
};

const RANK = { viewer: 0, editor: 1, admin: 2 } as const;
const METHODS = new Set(['get', 'post', 'put', 'delete', 'patch']);

describe('authentication and roles on every documented operation', () => {
  let app: FastifyInstance;
  let db: PgliteClient;
  const keys: Partial<Record<Role, string>> = {};
  // A malformed key, a well-formed unknown one, and (added in beforeAll) a revoked admin key.
  const wrongKeys = ['nonsense', 'lsk_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'];
  let operations: string[] = [];

  beforeAll(async () => {
    db = await PgliteClient.open();
    await migrate(db);
    const store = new ApiKeyStore(db);
    for (const role of ['viewer', 'editor', 'admin'] as const)
      keys[role] = (await store.create(`${role} key`, role)).key;
    const revoked = await store.create('gone', 'admin');
    await store.revoke(revoked.info.id);
    wrongKeys.push(revoked.key);
    app = await buildRestServer({
      backend: memoryBackend(),
      version: 'test',
      authenticate: createAuthenticator({
        config: {
          auth: {
            enabled: true,
            apiKeys: [],
            jwt: { jwksUrl: null, secret: null, issuer: null, audience: null },
          },
        },
        keys: store,
      }),
      // Stands in for the ingest plugin `serve` registers, so its documented route is exercised too.
      plugins: [async (a) => void a.post('/api/v1/logs', async (_req, reply) => reply.status(202).send({}))],
    });
    // The document itself is read without credentials, as clients must be able to.
    const res = await app.inject({ url: '/api/v1/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    operations = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops)
        .filter((m) => METHODS.has(m))
        .map((m) => `${m.toUpperCase()} ${p}`),
    );
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('classifies every documented operation, and documents every classified one', () => {
    expect(operations.length).toBeGreaterThan(10);
    expect(operations.filter((op) => !(op in EXPECTED))).toEqual([]);
    expect(Object.keys(EXPECTED).filter((op) => !operations.includes(op))).toEqual([]);
  });

  it('answers each operation as its role demands', async () => {
    const failures: string[] = [];
    for (const op of operations) {
      const need = EXPECTED[op];
      if (need === undefined) continue; // reported by the classification test
      const [method, template] = op.split(' ') as [string, string];
      const url = template.replace(/\{[^}]+\}/g, 'x1');
      const call = async (headers: Record<string, string>) =>
        (
          await app.inject({
            method: method as 'GET',
            url,
            headers,
            ...(method === 'GET' || method === 'DELETE' ? {} : { payload: {} }),
          })
        ).statusCode;
      const expect_ = (who: string, got: number, ok: (s: number) => boolean, want: string) => {
        if (!ok(got)) failures.push(`${op} as ${who}: got ${got}, want ${want}`);
      };
      const allowed = (s: number) => s !== 401 && s !== 403 && s < 500;
      if (need === 'open') {
        for (const h of [
          {} as Record<string, string>,
          { 'x-api-key': 'nonsense' },
          { 'x-api-key': keys.viewer! },
        ])
          expect_(JSON.stringify(h), await call(h), (s) => s !== 401 && s !== 403, 'open');
        continue;
      }
      expect_('nobody', await call({}), (s) => s === 401, '401');
      for (const k of wrongKeys) {
        expect_(`wrong key "${k}"`, await call({ 'x-api-key': k }), (s) => s === 401, '401');
        expect_(`wrong bearer "${k}"`, await call({ authorization: `Bearer ${k}` }), (s) => s === 401, '401');
      }
      for (const role of ['viewer', 'editor', 'admin'] as const) {
        const s = await call({ authorization: `Bearer ${keys[role]!}` });
        if (RANK[role] < RANK[need]) expect_(role, s, (x) => x === 403, '403');
        else expect_(role, s, allowed, 'not 401/403/5xx');
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers HEAD on every GET operation with the role of the GET', async () => {
    const failures: string[] = [];
    for (const op of operations.filter((o) => o.startsWith('GET '))) {
      const need = EXPECTED[op];
      if (need === undefined || need === 'open') continue;
      const url = op.slice(4).replace(/\{[^}]+\}/g, 'x1');
      for (const role of ['viewer', 'editor', 'admin'] as const) {
        const res = await app.inject({ method: 'HEAD', url, headers: { 'x-api-key': keys[role]! } });
        const ok =
          RANK[role] < RANK[need] ? res.statusCode === 403 : res.statusCode !== 401 && res.statusCode !== 403;
        if (!ok) failures.push(`HEAD ${url} as ${role}: got ${res.statusCode}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
