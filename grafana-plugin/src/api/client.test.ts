import { describe, expect, it } from 'vitest';
import { FakeBackendSrv } from '../../tests/fake/backend-srv';
import { API_BASE } from '../constants';
import { LogsieveClient } from './client';
import { ApiError } from './errors';

function setup() {
  const srv = new FakeBackendSrv();
  return { srv, client: new LogsieveClient(srv, API_BASE) };
}

describe('LogsieveClient', () => {
  it('sends list queries through the plugin proxy without empty parameters', async () => {
    const { srv, client } = setup();
    const page = await client.anomalies({ stream: 'checkout', severity: undefined, limit: 5, offset: 0 });
    expect(srv.requests[0]).toMatchObject({
      method: 'GET',
      url: '/api/plugin-proxy/logsieve-anomaly-app/api/v1/anomalies',
      params: { stream: 'checkout', limit: 5, offset: 0 },
    });
    expect(page.items).toHaveLength(5);
    expect(page.items.every((a) => a.stream === 'checkout')).toBe(true);
    expect(page.total).toBe(12);
  });

  it('writes the global threshold or a stream override by path', async () => {
    const { srv, client } = setup();
    const { global } = await client.thresholds();
    await client.saveThreshold({ ...global, minScore: 80 });
    await client.saveThreshold({ ...global, minScore: 60 }, 'a b');
    expect(srv.calls('/thresholds/global', 'PUT')[0].data).toMatchObject({ minScore: 80 });
    expect(srv.requests.at(-1)?.url).toBe(`${API_BASE}/thresholds/streams/a%20b`);
    expect((await client.thresholds()).streams['a b'].minScore).toBe(60);
  });

  it('posts feedback and undoes it with DELETE', async () => {
    const { srv, client } = setup();
    const marked = await client.giveFeedback('a001', 'false_positive');
    expect(marked.feedback?.label).toBe('false_positive');
    const undone = await client.undoFeedback('a001');
    expect(undone.feedback).toBeNull();
    expect(srv.requests.map((r) => r.method)).toEqual(['POST', 'DELETE']);
  });

  it.each([
    [502, 'unreachable'],
    [403, 'forbidden'],
    [401, 'unauthorized'],
    [500, 'server'],
  ])('turns HTTP %i into an ApiError of kind %s', async (status, kind) => {
    const { srv, client } = setup();
    srv.failWith = status;
    const err = await client.health().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).kind).toBe(kind);
    expect((err as ApiError).status).toBe(status);
  });

  it('keeps the service error message and code from a 400', async () => {
    const { client } = setup();
    const { global } = await client.thresholds();
    const err = (await client
      .saveThreshold({ ...global, falseAlarmRate: 0.7 })
      .catch((e: unknown) => e)) as ApiError;
    expect(err.kind).toBe('invalid');
    expect(err.code).toBe('invalid');
    expect(err.message).toMatch(/falseAlarmRate/);
  });
});
