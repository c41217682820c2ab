import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { memoryBackend, testThreshold as threshold } from './auth/testing/memory-backend';
import { buildRestServer, type Principal } from './rest-server';
import { ROUTES } from './routes';

// The HTTP layer on its own: a small in-memory backend stands in for storage, which has its own
// tests against PostgreSQL and PGlite; the service tests drive the real combination.
describe('REST server', () => {
  let app: FastifyInstance;
  const backend = memoryBackend();
  const keys: Record<string, Principal> = {
    v: { actor: 'vera', role: 'viewer' },
    e: { actor: 'ed', role: 'editor' },
  };
  beforeAll(async () => {
    app = await buildRestServer({
      backend,
      version: 'test',
      authenticate: async (req) => {
        const k = req.headers['x-api-key'] as string | undefined;
        return k === undefined ? null : (keys[k] ?? 'invalid');
      },
    });
  });
  afterAll(() => app.close());

  it('serves probes without credentials; readiness says why it is not ready', async () => {
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    const r = await app.inject({ url: '/readyz' });
    expect(r.statusCode).toBe(503);
    expect(r.json()).toMatchObject({ ready: false, reason: 'collecting baseline' });
  });

  it('answers 401 without or with wrong credentials and 403 below the role', async () => {
    expect((await app.inject({ url: '/api/v1/anomalies' })).statusCode).toBe(401);
    expect(
      (await app.inject({ url: '/api/v1/anomalies', headers: { 'x-api-key': 'nope' } })).statusCode,
    ).toBe(401);
    expect((await app.inject({ url: '/api/v1/anomalies', headers: { 'x-api-key': 'v' } })).statusCode).toBe(
      200,
    );
    const put = await app.inject({
      method: 'PUT',
      url: '/api/v1/thresholds/global',
      headers: { 'x-api-key': 'v' },
      payload: threshold(),
    });
    expect(put.statusCode).toBe(403);
  });

  it('validates bodies and queries with the failing field in the message', async () => {
    const bad = { ...threshold(), falseAlarmRate: 0.9 };
    const r = await app.inject({
      method: 'PUT',
      url: '/api/v1/thresholds/global',
      headers: { 'x-api-key': 'e' },
      payload: bad,
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toMatch(/^body\.falseAlarmRate/);
    const q = await app.inject({ url: '/api/v1/anomalies?limit=100000', headers: { 'x-api-key': 'v' } });
    expect(q.statusCode).toBe(400);
    expect(q.json().message).toMatch(/query\.limit/);
    const off = threshold();
    for (const m of Object.values(off.models)) m.enabled = false;
    const none = await app.inject({
      method: 'PUT',
      url: '/api/v1/thresholds/global',
      headers: { 'x-api-key': 'e' },
      payload: off,
    });
    expect(none.json().message).toMatch(/at least one model/);
  });

  it('records the acting principal and returns 404 for unknown ids', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/anomalies/a1/feedback',
      headers: { 'x-api-key': 'e' },
      payload: { label: 'false_positive' },
    });
    expect(r.statusCode).toBe(201);
    expect(r.json().feedback.actor).toBe('ed');
    expect(backend.audit).toContain('feedback a1 by ed');
    const missing = await app.inject({
      method: 'POST',
      url: '/api/v1/anomalies/zz/feedback',
      headers: { 'x-api-key': 'e' },
      payload: { label: 'false_positive' },
    });
    expect(missing.statusCode).toBe(404);
  });

  it('documents every route in the OpenAPI document', async () => {
    const doc = (await app.inject({ url: '/api/v1/openapi.json' })).json();
    for (const r of ROUTES) {
      const path = r.path.replace(/:([A-Za-z]+)/g, '{$1}');
      expect(doc.paths[path]?.[r.method.toLowerCase()], `${r.method} ${path}`).toBeDefined();
    }
    expect(doc.paths['/api/v1/anomalies'].get.parameters.map((p: { name: string }) => p.name)).toContain(
      'minScore',
    );
  });
});
