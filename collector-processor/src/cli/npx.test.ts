import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(import.meta.dirname, '../../..');

describe('npx logsieve from a fresh clone', () => {
  it('prints its help and nothing from npm (no warning about the project .npmrc)', () => {
    const r = spawnSync('npx', ['--no-install', 'logsieve', '--help'], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Usage: logsieve/);
    expect(r.stderr).not.toMatch(/npm warn/i);
  }, 60_000);
});
