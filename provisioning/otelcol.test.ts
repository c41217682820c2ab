import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../alertmanager-config/test-support/repo-paths';

type Tree = Record<string, unknown>;
const read = (name: string) =>
  parse(readFileSync(resolve(repoRoot, 'provisioning/otelcol', name), 'utf8')) as {
    receivers: Tree;
    processors: Tree;
    exporters: Record<string, Tree>;
    extensions: Tree;
    service: {
      extensions: string[];
      pipelines: Record<string, { receivers: string[]; processors: string[]; exporters: string[] }>;
    };
  };

describe.each(['config.yaml', 'config-kafka.yaml'])('otelcol %s', (name) => {
  const config = read(name);

  it('wires only components it defines into a logs pipeline', () => {
    const logs = config.service.pipelines['logs']!;
    for (const r of logs.receivers) expect(config.receivers).toHaveProperty([r]);
    for (const p of logs.processors) expect(config.processors).toHaveProperty([p]);
    for (const e of logs.exporters) expect(config.exporters).toHaveProperty([e]);
    for (const x of config.service.extensions) expect(config.extensions).toHaveProperty([x]);
    // memory_limiter must come first to protect the rest of the pipeline.
    expect(logs.processors[0]).toBe('memory_limiter');
  });

  it('tails the log generator files and names the stream after the file', () => {
    const filelog = config.receivers['filelog'] as { include: string[]; operators: Tree[] };
    expect(filelog.include).toEqual(['/var/log/loggen/*.log']);
    expect(filelog.operators.some((o) => o['to'] === 'resource["service.name"]')).toBe(true);
  });
});

describe('otelcol exporters', () => {
  it('config.yaml sends OTLP/HTTP to logsieve:4318', () => {
    expect(read('config.yaml').exporters['otlphttp']!['endpoint']).toBe('http://logsieve:4318');
  });

  it('config-kafka.yaml publishes otlp_proto to the topic logsieve consumes', () => {
    const kafka = read('config-kafka.yaml').exporters['kafka']!;
    expect(kafka).toMatchObject({ topic: 'otlp_logs', encoding: 'otlp_proto', brokers: ['kafka:9092'] });
  });

  it("config.yaml authenticates to logsieve's OTLP listener; config-kafka.yaml never calls logsieve", () => {
    // OTLP/HTTP needs an editor key (stack-credentials.test.ts checks the compose key's role);
    // logsieve reads Kafka itself, so the Kafka variant needs no logsieve credential at all.
    expect(read('config.yaml').exporters['otlphttp']!['headers']).toEqual({
      Authorization: 'Bearer ${env:LOGSIEVE_API_KEY}',
    });
    expect(Object.keys(read('config-kafka.yaml').exporters)).toEqual(['kafka']);
  });
});
