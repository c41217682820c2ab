import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/*
 * librdkafka's mock cluster run by kafka-mock-launcher.c, compiled at test time against the
 * system librdkafka (Debian librdkafka-dev): unlike kcat's mock mode, its brokers can be taken
 * down and brought back, and partition leaders moved, while clients use the cluster.
 */

const SOURCE = fileURLToPath(new URL('./kafka-mock-launcher.c', import.meta.url));

export interface KafkaMockBrokers {
  /** Bootstrap addresses, broker ids 1..n in order. */
  brokers: string[];
  /** Disconnects the broker and refuses new connections (its partitions keep it as leader). */
  down(id: number): Promise<void>;
  up(id: number): Promise<void>;
  setLeader(topic: string, partition: number, id: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Why the launcher cannot be built here, or null when it can. Under CI=true a missing compiler
 * or librdkafka header throws instead, so CI fails rather than silently skipping.
 */
export function kafkaMockBrokersSkipReason(): string | null {
  const cc = spawnSync('cc', ['--version'], { stdio: 'ignore' });
  const reason =
    cc.error || cc.status !== 0
      ? 'no C compiler (cc) to build the Kafka mock cluster launcher'
      : spawnSync('cc', ['-fsyntax-only', SOURCE], { stdio: 'ignore' }).status !== 0
        ? 'librdkafka headers not found (Debian package librdkafka-dev)'
        : null;
  if (reason && process.env.CI === 'true') throw new Error(`${reason}; required under CI=true`);
  return reason;
}

/** Compiles the launcher into a temp dir and starts a cluster with `topic` already created. */
export async function startKafkaMockBrokers({
  brokers = 3,
  topic,
  partitions = 6,
  replication = 3,
  timeoutMs = 10_000,
}: {
  brokers?: number;
  topic: string;
  partitions?: number;
  replication?: number;
  timeoutMs?: number;
}): Promise<KafkaMockBrokers> {
  const dir = await mkdtemp(path.join(tmpdir(), 'logsieve-kafka-mock-'));
  const bin = path.join(dir, 'kafka-mock-launcher');
  const cc = spawnSync('cc', ['-O1', '-o', bin, SOURCE, '-lrdkafka'], { encoding: 'utf8' });
  if (cc.status !== 0) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`compiling the Kafka mock launcher failed: ${cc.stderr}`);
  }
  const child: ChildProcess = spawn(bin, [String(brokers), topic, String(partitions), String(replication)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines: Interface = createInterface({ input: child.stdout! });
  const pending: ((line: string) => void)[] = [];
  lines.on('line', (line) => pending.shift()?.(line));
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Kafka mock launcher silent: ${stderr}`)), timeoutMs);
      pending.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`Kafka mock launcher exited: ${stderr}`));
      });
    });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  let first: string;
  try {
    first = await nextLine();
  } catch (err) {
    await stop();
    throw err;
  }
  if (!first.startsWith('bootstraps ')) {
    await stop();
    throw new Error(`Kafka mock launcher: unexpected first line ${first}`);
  }
  const addresses = first.slice('bootstraps '.length).split(',');

  // Commands are answered in order, one line each.
  const command = async (cmd: string) => {
    const answer = nextLine();
    child.stdin!.write(`${cmd}\n`);
    const a = await answer;
    if (a !== 'ok') throw new Error(`Kafka mock launcher: ${cmd}: ${a}`);
  };
  return {
    brokers: addresses,
    down: (id) => command(`down ${id}`),
    up: (id) => command(`up ${id}`),
    setLeader: (t, p, id) => command(`leader ${t} ${p} ${id}`),
    stop,
  };
}
