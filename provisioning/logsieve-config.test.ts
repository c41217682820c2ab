import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../collector-processor/src/config/load-config';
import { repoRoot } from '../alertmanager-config/test-support/repo-paths';

describe('provisioning/logsieve/config.yaml', () => {
  it('is a valid logsieve configuration for the compose services', () => {
    const config = loadConfig({
      file: resolve(repoRoot, 'provisioning/logsieve/config.yaml'),
      env: { LOGSIEVE_AUTH__API_KEYS: '["test-key"]' },
    });
    expect(config.server.ports).toEqual({ otlpHttp: 4318, otlpGrpc: 4317, rest: 8080, metrics: 9464 });
    expect(config.storage.url).toMatch(/@postgres:5432\//);
    expect(config.cache.url).toBe('redis://redis:6379');
    expect(config.ingest.kafka).toMatchObject({ enabled: true, brokers: ['kafka:9092'], topic: 'otlp_logs' });
    expect(config.outputs.alertmanager.url).toBe('http://alertmanager:9093');
    expect(config.auth).toMatchObject({ enabled: true, apiKeys: ['test-key'] });
  });
});
