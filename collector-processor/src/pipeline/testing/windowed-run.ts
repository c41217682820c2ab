import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detect, type UnitResult } from '../detector';
import { train } from '../trainer';

/**
 * Trains on `api.log` and detects on `test/api.log` (the same file name in another folder: the
 * same stream), 60-second windows; every scored window's result.
 */
export async function trainAndDetect(
  prefix: string,
  trainLines: string[],
  testLines: string[],
): Promise<UnitResult[]> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, 'api.log'), trainLines.join('\n') + '\n');
  mkdirSync(join(dir, 'test'));
  writeFileSync(join(dir, 'test/api.log'), testLines.join('\n') + '\n');
  await train({
    inputs: [join(dir, 'api.log')],
    out: join(dir, 'model'),
    unit: { kind: 'window', windowSeconds: 60 },
  });
  const results: UnitResult[] = [];
  await detect({
    model: join(dir, 'model'),
    inputs: [join(dir, 'test/api.log')],
    out: join(dir, 'units.jsonl'),
    onResult: (res) => results.push(res),
  });
  return results;
}
