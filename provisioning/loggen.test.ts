import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../alertmanager-config/test-support/repo-paths';

describe('provisioning/loggen/loggen.mjs', () => {
  it('writes timestamped lines per service and error bursts only during incidents', () => {
    const dir = mkdtempSync(join(tmpdir(), 'logsieve-loggen-'));
    try {
      // A 4s run with an incident in the last 2s of every 4s cycle.
      const r = spawnSync(process.execPath, [resolve(repoRoot, 'provisioning/loggen/loggen.mjs')], {
        env: {
          ...process.env,
          LOGGEN_DIR: dir,
          LOGGEN_DURATION_S: '3',
          LOGGEN_INCIDENT_EVERY_S: '4',
          LOGGEN_INCIDENT_S: '2',
          LOGGEN_RATE: '50',
        },
        encoding: 'utf8',
        timeout: 15_000,
      });
      expect(r.status, r.stderr).toBe(0);
      expect(readdirSync(dir).sort()).toEqual(['checkout.log', 'inventory.log', 'payments.log']);
      const lines = (f: string) => readFileSync(join(dir, f), 'utf8').trim().split('\n');
      for (const line of lines('payments.log'))
        expect(line).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z (INFO|DEBUG|WARN|ERROR|FATAL) /);
      const errors = (f: string) => lines(f).filter((l) => / (ERROR|FATAL) /.test(l)).length;
      // The first 2s are normal (no errors possible), the incident fills about 60% of the rest.
      expect(errors('payments.log')).toBeGreaterThan(20);
      expect(errors('inventory.log')).toBe(0);
      expect(
        lines('payments.log')
          .slice(0, 50)
          .some((l) => / (ERROR|FATAL) /.test(l)),
      ).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
