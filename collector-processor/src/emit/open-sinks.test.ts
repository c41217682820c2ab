import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../config/config-schema';
import { openEventSinks } from './open-sinks';

describe('openEventSinks', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'logsieve-sinks-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('opens nothing by default', async () => {
    expect(await openEventSinks(configSchema.parse({ dataDir }))).toEqual([]);
  });

  it('opens each configured output, Kafka and OTLP with a disk buffer', async () => {
    const sinks = await openEventSinks(
      configSchema.parse({
        dataDir,
        ingest: { kafka: { brokers: ['k:9092'] } },
        outputs: {
          kafka: { enabled: true },
          alertmanager: { url: 'http://am:9093' },
          otlp: { endpoint: 'http://collector:4318/v1/logs' },
        },
      }),
    );
    expect(sinks.map((s) => s.name)).toEqual(['kafka', 'alertmanager', 'otlp']);
    expect((await readdir(path.join(dataDir, 'output-buffer'))).sort()).toEqual(['kafka', 'otlp']);
    await Promise.all(sinks.map((s) => s.close?.()));
  });
});
