import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogRecord } from '../record';
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
