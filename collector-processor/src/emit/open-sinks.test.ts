import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/config-schema';
import { openEventSinks } from './open-sinks';

describe('openEventSinks', () => {
  it('opens nothing by default', () => {
    expect(openEventSinks(configSchema.parse({}))).toEqual([]);
  });

  it('opens each configured output', async () => {
    const sinks = openEventSinks(
      configSchema.parse({
        ingest: { kafka: { brokers: ['k:9092'] } },
        outputs: {
          kafka: { enabled: true },
          alertmanager: { url: 'http://am:9093' },
          otlp: { endpoint: 'http://collector:4318/v1/logs' },
        },
      }),
    );
    expect(sinks.map((s) => s.name)).toEqual(['kafka', 'alertmanager', 'otlp']);
    await Promise.all(sinks.map((s) => s.close?.()));
  });
});
