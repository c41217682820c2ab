import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnomalyEvent } from '../anomaly-event';
import {
  kafkaMockSkipReason,
  startKafkaMockCluster,
  type KafkaMockCluster,
} from '../ingest/testing/kafka-mock-cluster';
import { KafkaSink } from './kafka-sink';
import { freePort } from './testing/free-port';
import { sampleEvent } from './testing/sample-event';

const run = promisify(execFile);
const skip = kafkaMockSkipReason();
if (skip) console.warn(`skipping Kafka sink tests: ${skip}`);

describe.skipIf(skip !== null)('KafkaSink on the librdkafka mock cluster', () => {
  let cluster: KafkaMockCluster;
  beforeAll(async () => {
    cluster = await startKafkaMockCluster({ brokers: 3 });
  }, 20_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('publishes each event as JSON keyed by stream, one stream on one partition', async () => {
    const sink = new KafkaSink({ brokers: cluster.brokers });
    const events = [
      sampleEvent('e1', 'checkout'),
      sampleEvent('e2', 'payments'),
      sampleEvent('e3', 'checkout'),
    ];
    try {
      await sink.emit(events.slice(0, 2));
      await sink.emit(events.slice(2));
    } finally {
      await sink.close();
    }
    // Read back with a different client (kcat/librdkafka) to check what is on the wire.
    const { stdout } = await run(
      'kcat',
      [
        '-b',
        cluster.brokers.join(','),
        '-C',
        '-t',
        'logsieve.anomalies',
        '-o',
        'beginning',
        '-e',
        '-q',
        '-f',
        '%p\t%k\t%h\t%s\n',
      ],
      { timeout: 15_000 },
    );
    const messages = stdout
      .trim()
      .split('\n')
      .map((line) => {
        const [partition, key, headers, ...value] = line.split('\t');
        return {
          partition: Number(partition),
          key,
          headers,
          event: JSON.parse(value.join('\t')) as AnomalyEvent,
        };
      });
    expect(messages.map((m) => m.event.id).sort()).toEqual(['e1', 'e2', 'e3']);
    for (const m of messages) {
      expect(m.key).toBe(m.event.stream);
      expect(m.headers).toContain(`logsieve-anomaly-id=${m.event.id}`);
      expect(m.event).toEqual(events.find((e) => e.id === m.event.id));
    }
    const checkout = messages.filter((m) => m.key === 'checkout');
    expect(checkout.map((m) => m.event.id)).toEqual(['e1', 'e3']);
    expect(new Set(checkout.map((m) => m.partition)).size).toBe(1);
  }, 30_000);

  it('rejects when no broker is reachable, and tries again on the next emit', async () => {
    const sink = new KafkaSink({ brokers: [`127.0.0.1:${await freePort()}`], retries: 0 });
    await expect(sink.emit([sampleEvent('x')])).rejects.toThrow(/Connection error|ECONNREFUSED/);
    await expect(sink.emit([sampleEvent('x')])).rejects.toThrow(/Connection error|ECONNREFUSED/);
    await sink.close();
  });
});
