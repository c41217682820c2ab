import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const bin = path.resolve(import.meta.dirname, '../../../bin/logsieve.js');

export interface ServePorts {
  rest: number;
  otlpHttp: number;
  otlpGrpc: number;
  metrics: number;
}

/**
 * `logsieve serve` as a child process on loopback ports, so a test can SIGTERM or SIGKILL it;
 * what it prints goes to `onOutput` (the test shows its tail when an assertion fails).
 */
export function spawnServe(
  args: string[],
  ports: ServePorts,
  onOutput: (text: string) => void,
): ChildProcess {
  const proc = spawn(process.execPath, [bin, 'serve', ...args], {
    env: {
      ...process.env,
      LOGSIEVE_SERVER__HOST: '127.0.0.1',
      LOGSIEVE_SERVER__PORTS__REST: String(ports.rest),
      LOGSIEVE_SERVER__PORTS__OTLP_HTTP: String(ports.otlpHttp),
      LOGSIEVE_SERVER__PORTS__OTLP_GRPC: String(ports.otlpGrpc),
      LOGSIEVE_SERVER__PORTS__METRICS: String(ports.metrics),
      LOGSIEVE_LOG__LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (c: Buffer) => onOutput(c.toString()));
  proc.stderr!.on('data', (c: Buffer) => onOutput(c.toString()));
  return proc;
}
