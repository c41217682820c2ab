import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStorage } from './open-storage';

describe('openStorage with file-backed PGlite', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('keeps its data under the data dir across restarts', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'logsieve-pglite-'));
    dirs.push(dir);
    const dataDir = path.join(dir, 'pglite');
    const first = await openStorage({ kind: 'pglite', dataDir });
    await first.setOffset('file:/var/log/app.log', { inode: 3, offset: 99, line: 7 });
    await first.close();
    expect((await readdir(dataDir)).length).toBeGreaterThan(0);

    const second = await openStorage({ kind: 'pglite', dataDir });
    try {
      expect(await second.getOffset('file:/var/log/app.log')).toEqual({ inode: 3, offset: 99, line: 7 });
      expect(second.kind).toBe('pglite');
    } finally {
      await second.close();
    }
  }, 60_000);
});
