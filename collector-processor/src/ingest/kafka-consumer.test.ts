import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import type { LogRecord } from '../record';
import { KafkaLogConsumer, type KafkaLedger, type KafkaLogConsumerOptions } from './kafka-consumer';
import { encodeExportLogsRequest, exportLogsRequestJson } from './otlp/otlp-logs-encoder';
import { OverloadedError } from './overloaded-error';
import {
  kafkaMockSkipReason,
  startKafkaMockCluster,
  type KafkaMockCluster,
} from './testing/kafka-mock-cluster';

const skip = kafkaMockSkipReason();
if (skip) console.warn(`skipping Kafka consumer tests: ${skip}`);

const FAST_GROUP = { sessionTimeout: 6000, rebalanceTimeout: 6000, heartbeatInterval: 500 };
let cluster: KafkaMockCluster;
let producer: Producer;
const running: KafkaLogConsumer[] = [];
const children: ChildProcess[] = [];

/** One OTLP request per message, `perMessage` records each, with unique bodies. */
function otlpMessages(topicTag: string, count: number, perMessage: number) {
  return Array.from({ length: count }, (_, i) => {
    const records: LogRecord[] = Array.from({ length: perMessage }, (_, j) => ({
      stream: `svc-${i % 8}`,
      line: j + 1,
      timeMs: 1_700_000_000_000 + i,
      severityNumber: 9,
      severityText: 'INFO',
      body: `${topicTag} message ${i} record ${j}`,
    }));
    return { key: `svc-${i % 8}`, value: Buffer.from(encodeExportLogsRequest(records)) };
  });
}

/** Counts every delivery of every body: duplicates show as counts above 1. */
function countingSink() {
  const seen = new Map<string, number>();
  const sink: KafkaLogConsumerOptions['sink'] = async (records) => {
    for (const r of records) seen.set(r.body, (seen.get(r.body) ?? 0) + 1);
    return { accepted: records.length, rejected: 0 };
  };
  return { sink, seen };
}

function consumer(topic: string, opts: Partial<KafkaLogConsumerOptions>) {
  const c = new KafkaLogConsumer({
    brokers: cluster.brokers,
    topic,
    groupId: `g-${topic}`,
    encoding: 'otlp_proto',
    maxLineBytes: 65536,
    consumer: FAST_GROUP,
    sink: async (r) => ({ accepted: r.length, rejected: 0 }),
    ...opts,
  });
  running.push(c);
  return c;
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(skip !== null)('KafkaLogConsumer on the librdkafka mock cluster', () => {
  beforeAll(async () => {
    cluster = await startKafkaMockCluster();
    const kafka = new Kafka({ brokers: cluster.brokers, logLevel: logLevel.NOTHING });
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  });

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(running.map((c) => c.stop().catch(() => {})));
    await producer?.disconnect();
    await cluster?.stop();
  });

  it('splits partitions between two members and delivers every record once', async () => {
    const topic = 'otlp_logs_split';
    await producer.send({ topic, messages: otlpMessages('warmup', 1, 1) }); // creates the topic
    const a = countingSink();
    const b = countingSink();
    const owned: Record<string, number[]> = {};
    const ca = consumer(topic, { sink: a.sink, onAssignment: (x) => (owned.a = x[topic] ?? []) });
    const cb = consumer(topic, { sink: b.sink, onAssignment: (x) => (owned.b = x[topic] ?? []) });
    await ca.start();
    await cb.start();
    await until(
      () => (owned.a?.length ?? 0) > 0 && (owned.b?.length ?? 0) > 0,
      30_000,
      'both members assigned',
    );
    await producer.send({ topic, messages: otlpMessages('split', 80, 5) });

    const total = () => [...a.seen.keys(), ...b.seen.keys()].filter((k) => k.startsWith('split')).length;
    await until(() => total() === 400, 30_000, 'all 400 records');
    const counts = [...a.seen, ...b.seen].filter(([k]) => k.startsWith('split'));
    expect(counts.every(([, n]) => n === 1)).toBe(true);
    expect(new Set(counts.map(([k]) => k)).size).toBe(400);
    expect(a.seen.size).toBeGreaterThan(0);
    expect(b.seen.size).toBeGreaterThan(0);
    // Commits happened after the sink: nothing left to consume on any owned partition.
    await until(() => [...ca.lag(), ...cb.lag()].every((l) => l.lag === 0), 10_000, 'lag 0');
    expect([...ca.lag(), ...cb.lag()].length).toBeGreaterThan(0);
  });

  it('re-delivers what a killed member received but never committed to the surviving member', async () => {
    const topic = 'otlp_logs_failover';
    await producer.send({ topic, messages: otlpMessages('warmup', 1, 1) });
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./testing/kafka-consumer-child.ts', import.meta.url))],
      {
        env: {
          ...process.env,
          KAFKA_BROKERS: cluster.brokers.join(','),
          KAFKA_TOPIC: topic,
          KAFKA_GROUP: `g-${topic}`,
          KAFKA_PASS_PREFIX: 'warmup',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    children.push(child);
    let childPartitions: number[] = [];
    const childDelivered: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{"event"')) return; // kafkajs's own log lines
      const msg = JSON.parse(line) as { event: string; partitions?: number[]; bodies?: string[] };
      if (msg.event === 'assigned') childPartitions = msg.partitions!;
      if (msg.event === 'delivered')
        childDelivered.push(...msg.bodies!.filter((b) => b.startsWith('failover')));
    });

    const survivor = countingSink();
    let survivorPartitions: number[] = [];
    const c = consumer(topic, {
      sink: survivor.sink,
      onAssignment: (x) => (survivorPartitions = x[topic] ?? []),
    });
    await c.start();
    await until(
      () => childPartitions.length > 0 && survivorPartitions.length > 0,
      30_000,
      'both members assigned',
    );
    await producer.send({ topic, messages: otlpMessages('failover', 60, 4) });
    await until(() => childDelivered.length > 0, 30_000, 'the child to receive records');
    child.kill('SIGKILL');

    const delivered = () => [...survivor.seen.keys()].filter((k) => k.startsWith('failover')).length;
    await until(() => delivered() === 240, 45_000, 'all 240 records at the survivor');
    // Everything the dead member got was uncommitted, so each of those came again: duplicates. The
    // survivor holding all 240 shows it took the dead member's partitions over; which partitions an
    // assignment reports is not waited on (the mock cluster's rebalances may pass through a crash and
    // a rejoin, reporting assignments late or empty: that wait made this test flaky).
    const duplicates = childDelivered.filter((b) => survivor.seen.has(b)).length;
    expect(duplicates).toBe(childDelivered.length);
    expect([...survivor.seen.values()].every((n) => n === 1)).toBe(true);
    // The waits above: a rebalance on the mock cluster may go through a crash and a rejoin or two.
  }, 150_000);

  it('pauses on OverloadedError and consumes the same messages after the pause', async () => {
    const topic = 'otlp_logs_pause';
    await producer.send({ topic, messages: otlpMessages('pause', 10, 2) });
    const seen: string[] = [];
    let refusals = 0;
    let lagWhileRefused = 0;
    const c: KafkaLogConsumer = consumer(topic, {
      sink: async (records) => {
        if (refusals < 2) {
          refusals++;
          lagWhileRefused = c.lag().reduce((sum, l) => sum + l.lag, 0);
          throw new OverloadedError('full', 0.2);
        }
        seen.push(...records.map((r) => r.body));
        return { accepted: records.length, rejected: 0 };
      },
    });
    await c.start();
    await until(() => seen.length === 20, 30_000, 'all 20 records after the pauses');
    expect(refusals).toBe(2);
    // Refused messages stay uncommitted (lag), and are committed once the sink takes them.
    expect(lagWhileRefused).toBeGreaterThan(0);
    await until(() => c.lag().every((l) => l.lag === 0), 10_000, 'lag 0');
    expect(new Set(seen).size).toBe(20);
  });

  it('with a ledger, counts messages below the stored position as duplicates and never passes them on', async () => {
    const topic = 'otlp_logs_ledger';
    // The ledger as the service keeps it: positions stored once the sink's batches are stored.
    const stored = new Map<string, bigint>();
    const taken = new Map<string, bigint>();
    let duplicates = 0;
    const ledger: KafkaLedger = {
      position: async (t, p) => stored.get(`${t}:${p}`) ?? null,
      duplicates: (_t, _p, n) => (duplicates += n),
      stored: async () => {
        for (const [k, v] of taken) stored.set(k, v);
      },
    };
    const first = countingSink();
    const tracked: KafkaLogConsumerOptions['sink'] = async (records, source, tenant, position) => {
      if (position) taken.set(`${position.topic}:${position.partition}`, BigInt(position.nextOffset));
      return first.sink(records, source, tenant, position);
    };
    await producer.send({ topic, messages: otlpMessages('ledger', 20, 2) });
    await consumer(topic, { groupId: 'ledger-a', ledger, sink: tracked }).start();
    await until(() => first.seen.size === 40, 30_000, 'all 40 records');
    expect(duplicates).toBe(0);

    // Another group gets every message again (as after lost commits): all are duplicates now.
    const second = countingSink();
    await consumer(topic, { groupId: 'ledger-b', ledger, sink: second.sink }).start();
    await until(() => duplicates === 20, 30_000, 'all 20 messages counted as duplicates');
    expect(second.seen.size).toBe(0);
    expect([...first.seen.values()].every((n) => n === 1)).toBe(true);
  });

  it('reads otlp_json and raw encodings, the raw key naming the stream', async () => {
    const jsonTopic = 'otlp_logs_json';
    const rawTopic = 'raw_logs';
    const records: LogRecord[] = [
      {
        stream: 'web',
        line: 1,
        timeMs: 1_700_000_000_000,
        severityNumber: 17,
        severityText: 'ERROR',
        body: 'json body',
      },
    ];
    await producer.send({
      topic: jsonTopic,
      messages: [{ value: JSON.stringify(exportLogsRequestJson(records)) }, { value: 'not json' }],
    });
    await producer.send({
      topic: rawTopic,
      messages: [{ key: 'nginx', value: 'GET / 200\n' }, { value: 'keyless' }],
    });
    const got: LogRecord[] = [];
    let bad = 0;
    const sink: KafkaLogConsumerOptions['sink'] = async (r) => {
      got.push(...r);
      return { accepted: r.length, rejected: 0 };
    };
    await consumer(jsonTopic, { encoding: 'otlp_json', sink, hooks: { onRejected: () => bad++ } }).start();
    await consumer(rawTopic, { encoding: 'raw', sink }).start();
    await until(() => got.length === 3, 30_000, 'three records');
    expect(got.find((r) => r.body === 'json body')).toMatchObject({ stream: 'web', severityNumber: 17 });
    expect(got.find((r) => r.body === 'GET / 200')).toMatchObject({ stream: 'nginx', line: 1 });
    expect(got.find((r) => r.body === 'keyless')).toMatchObject({ stream: 'unknown_service' });
    expect(bad).toBe(1);
  });

  it('counts and skips messages over the body and record limits and drops over-long lines', async () => {
    const topic = 'otlp_logs_limits';
    const [fits, tooMany, tooBig, longLine] = [
      otlpMessages('fits', 1, 3)[0]!,
      otlpMessages('many', 1, 4)[0]!,
      { value: Buffer.concat([otlpMessages('big', 1, 1)[0]!.value, Buffer.alloc(4000)]) },
      otlpMessages('x'.repeat(300), 1, 1)[0]!,
    ];
    await producer.send({
      topic,
      messages: [tooMany, tooBig, longLine, { value: Buffer.from([0xff, 1]) }, fits],
    });
    const got: string[] = [];
    const rejected: string[] = [];
    const dropped: string[] = [];
    await consumer(topic, {
      maxBodyBytes: 2000,
      maxRecordsPerRequest: 3,
      maxLineBytes: 200,
      sink: async (r) => {
        got.push(...r.map((x) => x.body));
        return { accepted: r.length, rejected: 0 };
      },
      hooks: {
        onRejected: (_s, reason) => rejected.push(reason),
        onDropped: (r, reason) => dropped.push(...r.map(() => reason)),
      },
    }).start();
    await until(() => got.length === 3, 30_000, 'the three records that fit');
    expect(got.every((b) => b.startsWith('fits'))).toBe(true);
    expect(rejected.sort()).toEqual(['bad_payload', 'too_large', 'too_large']);
    expect(dropped).toEqual(['too_long']);
  });
});
