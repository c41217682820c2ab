import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

/*
 * Real Debian daemons (prometheus, prometheus-alertmanager) started by tests. A missing binary
 * skips with a reason, except under CI=true where it fails the run.
 */

export function binarySkipReason(binary: string, pkg: string): string | null {
  if (existsSync(binary) && !spawnSync(binary, ['--version'], { stdio: 'ignore' }).error) return null;
  const reason = `${binary} not found (Debian package ${pkg})`;
  if (process.env.CI === 'true') throw new Error(`${reason}; required under CI=true`);
  return reason;
}

export interface Daemon {
  readonly output: () => string;
  stop(): Promise<void>;
}

/** Starts `binary` and resolves once `readyUrl` answers 200. */
export async function startDaemon(
  binary: string,
  args: string[],
  readyUrl: string,
  timeoutMs = 30_000,
): Promise<Daemon> {
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${binary} exited (${child.exitCode}): ${out.slice(-2000)}`);
    try {
      if ((await fetch(readyUrl)).ok) return { output: () => out, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`${binary} not ready at ${readyUrl} within ${timeoutMs} ms: ${out.slice(-2000)}`);
}

/** Polls `probe` until it returns a value other than undefined. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
