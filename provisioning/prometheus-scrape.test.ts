import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../collector-processor/src/pipeline/service';
import { requireBinary } from '../alertmanager-config/test-support/binaries';
import { freePort, waitFor, type Running } from '../alertmanager-config/test-support/processes';
import { writePrometheusCopy } from '../alertmanager-config/test-support/prometheus-copy';
import { startPrometheus } from '../alertmanager-config/test-support/test-stack';
import { composeLogsieveConfig, hostPath, resolvedCompose } from './test-support/compose-config';

/*
 * The compose stack's scrape for real: Debian's prometheus running the repository's logsieve job
 * (target moved to loopback, its key file taken from the folder docker-compose mounts) against
 * logsieve serve in this process, configured as the compose service is (its config.yaml and
 * environment, so auth is on with the compose keys). Only what this machine lacks is swapped:
 * embedded storage and cache instead of PostgreSQL and Redis, no Kafka, loopback ports.
 */

const prometheus = requireBinary('prometheus');
const dockerCompose = requireBinary('docker-compose');

describe.skipIf(!prometheus || !dockerCompose)('Prometheus scrapes the compose logsieve with auth on', () => {
  let dir = '';
  let service: RunningService | undefined;
  let prom: Running | undefined;
  let promUrl = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'logsieve-scrape-'));
    const services = resolvedCompose(dockerCompose!);
    const config = composeLogsieveConfig(services, {
      LOGSIEVE_DATA_DIR: join(dir, 'data'),
      LOGSIEVE_SERVER__HOST: '127.0.0.1',
      LOGSIEVE_SERVER__PORTS__OTLP_HTTP: '0',
      LOGSIEVE_SERVER__PORTS__OTLP_GRPC: '0',
      LOGSIEVE_SERVER__PORTS__REST: '0',
      LOGSIEVE_SERVER__PORTS__METRICS: '0',
      LOGSIEVE_STORAGE__KIND: 'pglite',
      LOGSIEVE_CACHE__KIND: 'memory',
      LOGSIEVE_INGEST__KAFKA__ENABLED: 'false',
      LOGSIEVE_OUTPUTS__KAFKA__ENABLED: 'false',
      LOGSIEVE_OUTPUTS__ALERTMANAGER__URL: '',
    });
    expect(config.auth.enabled).toBe(true);
    service = await startService(config, pino({ level: 'silent' }));

    const port = await freePort();
    const promConfig = writePrometheusCopy(dir, {
      secretsDir: hostPath(services['prometheus']!, '/etc/prometheus/secrets'),
      logsieveTarget: `127.0.0.1:${service.ports.metrics}`,
      ruleFiles: [],
      interval: '1s',
    });
    prom = startPrometheus(prometheus!, dir, promConfig, port);
    promUrl = `http://127.0.0.1:${port}`;
    await waitFor(
      'prometheus /-/ready',
      async () => ((await fetch(`${promUrl}/-/ready`)).ok ? true : undefined),
      30_000,
      [prom],
    );
  });

  afterAll(async () => {
    await prom?.stop();
    await service?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const query = async (promql: string): Promise<string | undefined> => {
    const r = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await r.json()) as { data: { result: { value: [number, string] }[] } };
    return body.data.result[0]?.value[1];
  };

  it('refuses a scrape without credentials', async () => {
    const r = await fetch(`http://127.0.0.1:${service!.ports.metrics}/metrics`);
    expect(r.status).toBe(401);
  });

  it('gets up{job="logsieve"} == 1 and logsieve series with the mounted viewer key', async () => {
    // A single scrape may time out on a loaded machine: wait for a successful one.
    await waitFor(
      'up{job="logsieve"} == 1',
      async () => ((await query('up{job="logsieve"}')) === '1' ? true : undefined),
      30_000,
      [prom!],
    ).catch(async (err: Error) => {
      const targets = await (await fetch(`${promUrl}/api/v1/targets`)).text();
      throw new Error(`${err.message}\ntargets: ${targets}`);
    });
    const series = await waitFor(
      'logsieve series',
      async () => query('count({job="logsieve", __name__=~"logsieve_.+"})'),
      30_000,
      [prom!],
    );
    expect(Number(series)).toBeGreaterThan(0);
  });
});
