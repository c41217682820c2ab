/*
 * A consumer-group member in its own process, so a test can kill it with SIGKILL like a crashed
 * replica. It reports on stdout (JSON lines) what it was assigned and what its sink received;
 * its sink then never resolves, as if the process died after storing results but before the
 * offsets were committed. Records whose body starts with KAFKA_PASS_PREFIX (the test's topic
 * warm-up) are acknowledged normally, so the member stalls only on the data under test.
 */
import { KafkaLogConsumer } from '../kafka-consumer';

const [brokers, topic, groupId] = [
  process.env.KAFKA_BROKERS!,
  process.env.KAFKA_TOPIC!,
  process.env.KAFKA_GROUP!,
];
const passPrefix = process.env.KAFKA_PASS_PREFIX ?? '\u0000';
const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);

const consumer = new KafkaLogConsumer({
  brokers: brokers.split(','),
  topic,
  groupId,
  encoding: 'otlp_proto',
  maxLineBytes: 65536,
  consumer: { sessionTimeout: 6000, rebalanceTimeout: 6000, heartbeatInterval: 500 },
  onAssignment: (a) => say({ event: 'assigned', partitions: a[topic] ?? [] }),
  sink: async (records) => {
    if (records.every((r) => r.body.startsWith(passPrefix))) return { accepted: records.length, rejected: 0 };
    say({ event: 'delivered', bodies: records.map((r) => r.body) });
    return new Promise(() => {});
  },
});
await consumer.start();
