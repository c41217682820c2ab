import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { train } from '../../pipeline/trainer';
import { normalMinute } from '../../pipeline/testing/service-traffic';

/**
 * Trains a bundle on `minutes` of the service tests' normal traffic (streams `api` and `worker`,
 * one-minute windows) under `dir`, so a fault test starts scoring at once instead of collecting
 * a baseline. Resolves to the bundle folder.
 */
export async function trainTrafficBundle(dir: string, start: number, minutes = 40): Promise<string> {
  // Each file is a stream named after it: no extension, so the names match the posted streams.
  const logs = path.join(dir, 'train-logs');
  await mkdir(logs, { recursive: true });
  const api: string[] = [];
  const worker: string[] = [];
  for (let i = 0; i < minutes; i++) {
    const m = normalMinute(start, i);
    api.push(...m.api);
    worker.push(...m.worker);
  }
  await writeFile(path.join(logs, 'api'), api.join('\n') + '\n');
  await writeFile(path.join(logs, 'worker'), worker.join('\n') + '\n');
  const out = path.join(dir, 'bundle');
  await train({ inputs: [logs], out, unit: { kind: 'window', windowSeconds: 60 } });
  return out;
}
