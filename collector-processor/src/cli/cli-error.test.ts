import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeError } from './cli-error';

const bin = resolve(import.meta.dirname, '../../bin/logsieve.js');

describe('describeError', () => {
  it('says in one line what any thrown value means, never [object Object]', () => {
    const enospc = Object.assign(new Error("ENOSPC: no space left on device, write '/data/x'"), {
      code: 'ENOSPC',
      syscall: 'write',
      path: '/data/x',
    });
    expect(describeError(enospc)).toBe('no space left on device writing /data/x');
    expect(describeError({ code: 'EACCES', syscall: 'open', path: '/etc/k' })).toBe(
      'permission denied opening /etc/k',
    );
    expect(describeError({ name: 'ErrnoError', errno: 51 })).toBe('{"name":"ErrnoError","errno":51}');
    expect(describeError({ message: 'from a plain object\nsecond line' })).toBe('from a plain object');
    expect(describeError('a string')).toBe('a string');
    expect(describeError(undefined)).toBe('undefined');
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
    });
    expect(describeError(new AggregateError([refused], ''))).toBe('connect ECONNREFUSED 127.0.0.1:1');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeError(cyclic)).toBe('Object thrown (not an Error)');
    expect(describeError(new TypeError(''))).toBe('TypeError');
  });
});

// A real full disk: a 256 KiB tmpfs as the data folder (mounting needs root; skipped otherwise).
const root = process.getuid?.() === 0;
describe.skipIf(!root)('logsieve serve on a full disk', () => {
  it('prints one line naming the problem and the folder, and exits non-zero', () => {
    const mnt = mkdtempSync(join(tmpdir(), 'logsieve-full-'));
    const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt]);
    if (mount.status !== 0) return void rmSync(mnt, { recursive: true, force: true });
    try {
      const r = spawnSync(process.execPath, [bin, 'serve', '--data-dir', join(mnt, 'data')], {
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, LOGSIEVE_DEBUG: '', LOGSIEVE_SERVER__HOST: '127.0.0.1' },
      });
      expect(r.status).toBe(1);
      expect(r.stderr.trim()).toBe(
        `logsieve: no space left on device writing ${join(mnt, 'data', 'pglite')}`,
      );
    } finally {
      spawnSync('umount', [mnt]);
      rmSync(mnt, { recursive: true, force: true });
    }
  }, 90_000);
});
