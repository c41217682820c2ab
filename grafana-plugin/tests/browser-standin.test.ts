// @vitest-environment node
// The browser scenario against an in-test HTTP server implementing the documented REST API with
// in-memory data. It stands in only until `logsieve serve` lands; tests/browser.test.ts runs the
// same scenario against the real service and a real Prometheus.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildHarness } from '../scripts/build-harness.mjs';
import { startStandIn } from './fake/standin-server';
import { startHarnessServer } from './harness/server';
import { browserScenario, chromiumSkip, repoRoot } from './browser/scenario';

const out = path.join(repoRoot, 'test-output/grafana-plugin');
const API_KEY = 'standin-key';
let authFailures = () => 0;

describe.skipIf(chromiumSkip())('browser: app pages against the stand-in REST API', () => {
  browserScenario(async () => {
    const staticDir = await buildHarness(path.join(out, 'harness'));
    const standIn = await startStandIn(API_KEY);
    authFailures = standIn.authFailures;
    const harness = await startHarnessServer({
      staticDir,
      logsieveUrl: standIn.url,
      apiKey: API_KEY,
      prometheusUrl: `${standIn.url}/prometheus`,
    });
    return {
      harnessUrl: harness.url,
      shotsDir: path.join(out, 'standin'),
      api: async <T>(method: string, apiPath: string, body?: unknown) => {
        const res = await fetch(`${standIn.url}/api/v1${apiPath}`, {
          method,
          headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return (await res.json()) as T;
      },
      stopService: async () => {
        standIn.server.closeAllConnections();
        await new Promise((resolve) => standIn.server.close(resolve));
      },
      stop: async () => {
        harness.server.close();
        standIn.server.close();
      },
    };
  });

  it('every proxied call carried the API key from the plugin route', () => {
    expect(authFailures()).toBe(0);
  });
});
