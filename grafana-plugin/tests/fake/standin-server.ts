// The documented REST API over HTTP with in-memory data, plus a Prometheus query_range for
// logsieve_anomaly_score. It stands in only until `logsieve serve` lands (tests/browser.test.ts
// runs the same scenario against the real service and a real Prometheus).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handle, seedState, type FakeState } from './logsieve-api';
import { scoreFrames } from './backend-srv';

export async function startStandIn(
  apiKey: string,
): Promise<{ url: string; state: FakeState; server: Server; authFailures: () => number }> {
  const state = seedState();
  let authFailures = 0;
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://standin');
    const send = (status: number, data?: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(data === undefined ? '' : JSON.stringify(data));
    };
    if (url.pathname === '/healthz') return send(200, { status: 'ok' });
    if (url.pathname === '/readyz') return send(200, { ready: true });
    if (url.pathname === '/prometheus/api/v1/query_range') {
      const frames = scoreFrames(state, {
        from: String(Number(url.searchParams.get('start')) * 1000),
        to: String(Number(url.searchParams.get('end')) * 1000),
      }).results.A.frames;
      return send(200, {
        status: 'success',
        data: {
          resultType: 'matrix',
          result: frames.map((f) => ({
            metric: { stream: f.schema.fields[1].labels!.stream },
            values: f.data.values[0].map((t, i) => [t / 1000, String(f.data.values[1][i])]),
          })),
        },
      });
    }
    if (!url.pathname.startsWith('/api/v1/')) return send(404, { error: 'not_found', message: url.pathname });
    // Like the service with auth on: the plugin route must have added the key.
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      authFailures++;
      return send(401, { error: 'unauthorized', message: 'missing or wrong API key' });
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString();
    const r = handle(state, {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: text ? JSON.parse(text) : undefined,
    });
    send(r.status, r.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    server,
    authFailures: () => authFailures,
  };
}
