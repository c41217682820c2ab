import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/*
 * librdkafka's mock cluster (a real Kafka protocol implementation in-process in kcat) for tests:
 * kcat is started as a consumer of a keepalive topic with mock brokers enabled and prints the
 * brokers' addresses on stderr. Topics are auto-created on first produce/metadata request.
 */

export interface KafkaMockCluster {
  brokers: string[];
  stop(): Promise<void>;
}

const BROKERS_LINE = /Mock cluster enabled: .*replaced with (\S+)/;

/**
 * Why the mock cluster cannot run here, or null when it can. When kcat is missing under
 * CI=true this throws instead, so a CI run fails rather than silently skipping Kafka tests.
 */
export function kafkaMockSkipReason(): string | null {
  const probe = spawnSync('kcat', ['-V'], { stdio: 'ignore' });
  if (!probe.error && probe.status === 0) return null;
  const reason = "kcat not found: Kafka tests need librdkafka's mock cluster (Debian package kcat)";
  if (process.env.CI === 'true') throw new Error(`${reason}; required under CI=true`);
  return reason;
}

export async function startKafkaMockCluster({
  brokers = 3,
  timeoutMs = 10_000,
} = {}): Promise<KafkaMockCluster> {
  const child: ChildProcess = spawn(
    'kcat',
    ['-X', `test.mock.num.brokers=${brokers}`, '-C', '-b', '127.0.0.1:1', '-t', '_logsieve_keepalive', '-q'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const addresses = await new Promise<string[]>((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(
      () => fail(new Error(`kcat mock cluster did not start in ${timeoutMs} ms: ${stderr}`)),
      timeoutMs,
    );
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    };
    child.once('error', fail);
    child.once('exit', (code) =>
      fail(new Error(`kcat exited (${code}) before the mock cluster started: ${stderr}`)),
    );
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const m = BROKERS_LINE.exec(stderr);
      if (m) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(m[1]!.split(','));
      }
    });
  });
  return {
    brokers: addresses,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
