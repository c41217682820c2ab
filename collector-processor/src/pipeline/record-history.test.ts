import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogRecord } from '../record';
import { MAX_VALUE_DEPTH } from '../safe-value';
import { DiskHistory, MemoryHistory } from './record-history';

const rec = (i: number): LogRecord => ({
  stream: 'api',
  line: i,
  timeMs: 1_700_000_000_000 + i,
  severityNumber: 9,
  severityText: 'INFO',
  body: `request ${i}`,
  templateId: 'abc',
  template: 'request <*>',
  params: [String(i)],
});
const lines = (rs: LogRecord[]) => rs.map((r) => r.line);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('DiskHistory', () => {
  let dir: string;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps a batch holding a record nested 5,000 deep (JSON.stringify overflows on it)', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'logsieve-history-'));
    const h = await DiskHistory.open(dir, 100);
    let deep: unknown = 'bottom';
    for (let i = 0; i < 5000; i++) deep = [deep];
    await h.append([rec(1), { ...rec(2), attributes: { deep } }, rec(3)]);
    const back = await h.read();
    expect(lines(back)).toEqual([1, 2, 3]);
    // Kept as structure down to MAX_VALUE_DEPTH, then as its JSON text.
    let v = back[1]!.attributes!['deep'];
    let depth = 1;
    while (Array.isArray(v)) [v, depth] = [v[0], depth + 1];
    expect(depth).toBe(MAX_VALUE_DEPTH);
    expect(v).toBe(
      `${'['.repeat(5000 - MAX_VALUE_DEPTH + 1)}"bottom"${']'.repeat(5000 - MAX_VALUE_DEPTH + 1)}`,
    );
  });

  it('keeps the latest records within its bound across reopening, deleting old segments', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'logsieve-history-'));
    const h = await DiskHistory.open(dir, 100, 25);
    for (let i = 0; i < 300; i += 10) await h.append(range(i, i + 10).map(rec));
    expect(lines(await h.read())).toEqual(range(200, 300));
    // Whole segments only go: at most the bound plus one segment stays on disk.
    expect((await readdir(dir)).length).toBeLessThanOrEqual(5);

    const reopened = await DiskHistory.open(dir, 100, 25);
    expect(lines(await reopened.read())).toEqual(range(200, 300));
    await reopened.append([rec(300)]);
    expect(lines(await reopened.read())).toEqual(range(201, 301));
    // Template fields are not kept: training mines afresh.
    expect((await reopened.read())[0]).toEqual({
      ...rec(201),
      templateId: undefined,
      template: undefined,
      params: undefined,
    });
  });

  it('skips a line cut short by a crash', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'logsieve-history-'));
    const h = await DiskHistory.open(dir, 100, 25);
    await h.append([rec(1), rec(2)]);
    const [file] = await readdir(dir);
    await appendFile(path.join(dir, file!), '{"stream":"api","li');
    expect(lines(await (await DiskHistory.open(dir, 100, 25)).read())).toEqual([1, 2]);
  });
});

describe('MemoryHistory', () => {
  it('keeps the latest records within its bound', async () => {
    const h = new MemoryHistory(50);
    for (let i = 0; i < 200; i += 7) await h.append(range(i, i + 7).map(rec));
    expect(lines(await h.read())).toEqual(range(153, 203));
  });
});
