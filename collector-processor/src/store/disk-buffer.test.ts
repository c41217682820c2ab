import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiskBuffer } from './disk-buffer';

describe('DiskBuffer', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'logsieve-buffer-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keeps entries in order across a reopen', async () => {
    const b = await DiskBuffer.open<{ n: number }>(dir, 10_000);
    await Promise.all([1, 2, 3].map((n) => b.append({ n })));
    expect(await b.peek()).toEqual({ n: 1 });
    await b.shift();
    const again = await DiskBuffer.open<{ n: number }>(dir, 10_000);
    expect([again.length, again.bytes]).toEqual([2, b.bytes]);
    expect(await again.peek()).toEqual({ n: 2 });
    await again.shift();
    await again.append({ n: 4 });
    expect(await again.peek()).toEqual({ n: 3 });
    await again.shift();
    expect(await again.peek()).toEqual({ n: 4 });
    await again.shift();
    expect([again.length, again.bytes, await again.peek()]).toEqual([0, 0, undefined]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses an entry past the bound and keeps the older ones', async () => {
    const b = await DiskBuffer.open<string>(dir, 20);
    expect(await b.append('0123456789')).toBe(true);
    expect(await b.append('0123456789')).toBe(false);
    expect(b.length).toBe(1);
    await b.shift();
    expect(await b.append('0123456789')).toBe(true);
  });

  it('never reuses a number, so an entry is not mistaken for one being removed', async () => {
    const b = await DiskBuffer.open<number>(dir, 1000);
    await b.append(1);
    await Promise.all([b.shift(), b.append(2)]);
    expect(await readdir(dir)).toEqual(['0000000000000002.json']);
    expect(await b.peek()).toBe(2);
  });

  it('discards an append a crash cut short', async () => {
    await writeFile(path.join(dir, '0000000000000001.json.tmp'), '[{"half');
    const b = await DiskBuffer.open<unknown>(dir, 1000);
    expect(b.length).toBe(0);
    expect(await readdir(dir)).toEqual([]);
  });
});
