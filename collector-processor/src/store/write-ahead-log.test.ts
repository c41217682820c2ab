import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WriteAheadLog, type WalEntry, type WriteAheadLogOptions } from './write-ahead-log';

const options: WriteAheadLogOptions = { fsync: 'always', fsyncIntervalMs: 1000, maxBytes: 1 << 20 };

async function all(wal: WriteAheadLog, after = 0): Promise<[number, string][]> {
  const out: [number, string][] = [];
  for await (const e of wal.replay(after)) out.push([e.seq, e.payload.toString()]);
  return out;
}

const segmentsIn = async (dir: string) => (await readdir(dir)).filter((n) => n.endsWith('.wal')).sort();

describe('WriteAheadLog', () => {
  let dir: string;
  const open: WriteAheadLog[] = [];
  const openLog = async (o: Partial<WriteAheadLogOptions> = {}) => {
    const wal = await WriteAheadLog.open(dir, { ...options, ...o });
    open.push(wal);
    return wal;
  };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'logsieve-wal-'));
  });
  afterEach(async () => {
    // A test that "crashed" a log leaves it open: close it only now, when its files are gone anyway.
    await Promise.allSettled(open.splice(0).map((w) => w.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('numbers entries in append order and gives them back after a restart', async () => {
    const wal = await openLog();
    expect(wal.nextSeq).toBe(1);
    // Concurrent appends share writes (group commit) and keep their order.
    await Promise.all(['a', 'b', 'c'].map((p) => wal.append(Buffer.from(p))));
    await wal.append(Buffer.from('d'));
    expect(await all(wal)).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
      [4, 'd'],
    ]);
    await wal.close();

    const again = await openLog();
    expect(again.id).toBe(wal.id);
    expect(again.cutBytes).toBe(0);
    expect(again.nextSeq).toBe(5);
    expect(await all(again, 2)).toEqual([
      [3, 'c'],
      [4, 'd'],
    ]);
  });

  it('keeps what was written when the process dies without closing (interval fsync)', async () => {
    const wal = await openLog({ fsync: 'interval' });
    await wal.append(Buffer.from('acknowledged'));
    // No close(): the written entry is in the file (the page cache), which is what a kill leaves.
    const after = await openLog({ fsync: 'interval' });
    expect(await all(after)).toEqual([[1, 'acknowledged']]);
  });

  it('cuts a torn tail and goes on appending after the last whole entry', async () => {
    const wal = await openLog();
    await wal.append(Buffer.from('one'));
    await wal.append(Buffer.from('two'));
    await wal.close();
    const [segment] = await segmentsIn(dir);
    const file = path.join(dir, segment!);
    const whole = (await stat(file)).size;
    // A crash in the middle of the next entry: its header promises 100 bytes, 3 were written.
    const torn = Buffer.alloc(19);
    torn.writeUInt32LE(100, 0);
    await appendFile(file, torn);

    const again = await openLog();
    expect(again.cutBytes).toBe(19);
    expect((await stat(file)).size).toBe(whole);
    expect(await all(again)).toEqual([
      [1, 'one'],
      [2, 'two'],
    ]);
    await again.append(Buffer.from('three'));
    await again.close();
    expect(await all(await openLog())).toEqual([
      [1, 'one'],
      [2, 'two'],
      [3, 'three'],
    ]);
  });

  it('cuts an entry whose checksum does not match, and everything after it', async () => {
    const wal = await openLog();
    for (const p of ['one', 'two', 'three']) await wal.append(Buffer.from(p));
    await wal.close();
    const file = path.join(dir, (await segmentsIn(dir))[0]!);
    const data = await readFile(file);
    // Flip one byte of the second entry's payload (16-byte header + 'one', then its header).
    data[16 + 3 + 16] ^= 0xff;
    await writeFile(file, data);

    const again = await openLog();
    expect(again.cutBytes).toBe(2 * 16 + 'two'.length + 'three'.length);
    expect(await all(again)).toEqual([[1, 'one']]);
    expect(again.nextSeq).toBe(2);
  });

  it('deletes what a checkpoint covers and never gives a covered number out again', async () => {
    const wal = await openLog({ segmentBytes: 64 });
    for (let i = 1; i <= 10; i++) await wal.append(Buffer.alloc(40, i));
    // 56-byte entries in 64-byte segments: two entries per segment.
    expect(await segmentsIn(dir)).toHaveLength(5);
    const before = wal.bytes;

    await wal.truncate(5);
    // Entries 1-4 were in whole segments; 5 shares its segment with 6, which is still needed.
    expect((await all(wal)).map(([seq]) => seq)).toEqual([5, 6, 7, 8, 9, 10]);
    expect(wal.bytes).toBe(before - 4 * 56);

    await wal.truncate(10);
    expect(await all(wal)).toEqual([]);
    expect(wal.bytes).toBe(0);
    // Only an empty segment is left, named after the next number.
    expect(await segmentsIn(dir)).toEqual([`${'11'.padStart(20, '0')}.wal`]);
    await wal.close();

    const again = await openLog({ segmentBytes: 64 });
    expect(again.nextSeq).toBe(11);
    await again.append(Buffer.from('next'));
    expect(await all(again, 10)).toEqual([[11, 'next']]);
  });

  it('refuses appends once maxBytes is reached until a checkpoint frees room', async () => {
    const wal = await openLog({ maxBytes: 200 });
    await wal.append(Buffer.alloc(100));
    expect(wal.refusal()).toBeNull();
    await wal.append(Buffer.alloc(100));
    expect(wal.refusal()).toMatch(/write-ahead log full/);
    await wal.truncate(2);
    expect(wal.refusal()).toBeNull();
  });

  it('replays entries as they were appended, byte for byte', async () => {
    const wal = await openLog();
    const payloads = [Buffer.from([0, 1, 2, 255]), Buffer.alloc(0), Buffer.from('\u0000 NUL and \ud800')];
    for (const p of payloads) await wal.append(p);
    const got: WalEntry[] = [];
    for await (const e of wal.replay(0)) got.push(e);
    expect(got.map((e) => Buffer.compare(e.payload, payloads[e.seq - 1]!))).toEqual([0, 0, 0]);
  });
});
