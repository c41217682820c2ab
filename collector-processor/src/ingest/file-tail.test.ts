import { appendFileSync, mkdtempSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, it, expect } from 'vitest';
import type { LogRecord } from '../record';
import { FileTail, type FileTailOptions } from './file-tail';
import { JsonFileOffsetStore, MemoryOffsetStore } from './offset-store';
import { OverloadedError } from './overloaded-error';
import { collectingSink } from './testing/collecting-sink';

const tails: FileTail[] = [];
afterEach(async () => {
  await Promise.all(tails.splice(0).map((t) => t.stop()));
});

function setup(overrides: Partial<FileTailOptions> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'logsieve-tail-'));
  const file = path.join(dir, 'app.log');
  const collected = collectingSink();
  const offsets = new MemoryOffsetStore();
  const dropped: LogRecord[] = [];
  const make = (more: Partial<FileTailOptions> = {}) => {
    const tail = new FileTail({
      paths: [file],
      startAt: 'beginning',
      offsets,
      sink: collected.sink,
      maxLineBytes: 1000,
      hooks: { onDropped: (r) => dropped.push(...r) },
      onError: (err) => {
        throw err;
      },
      ...overrides,
      ...more,
    });
    tails.push(tail);
    return tail;
  };
  const lines = () => collected.records().map((r) => `${r.line}:${r.body}`);
  return { dir, file, offsets, make, lines, dropped, ...collected };
}

describe('FileTail', () => {
  it('sends complete lines with the file name as stream and holds a partial last line', async () => {
    const t = setup();
    writeFileSync(t.file, 'one\r\ntwo\nthr');
    const tail = t.make();
    await tail.pollOnce();
    expect(t.lines()).toEqual(['1:one', '2:two']);
    expect(t.records()[0]).toMatchObject({ stream: 'app.log', timeMs: null, raw: 'one' });
    expect(t.batches[0]?.source).toBe('file');
    appendFileSync(t.file, 'ee\nfour\n');
    await tail.pollOnce();
    expect(t.lines()).toEqual(['1:one', '2:two', '3:three', '4:four']);
    expect(await t.offsets.get(t.file)).toMatchObject({
      offset: Buffer.byteLength('one\r\ntwo\nthree\nfour\n'),
      line: 4,
    });
  });

  it('finishes the old file on rotation, then reads the new one from its start', async () => {
    const t = setup();
    writeFileSync(t.file, 'a1\na2\n');
    const tail = t.make();
    await tail.pollOnce();
    appendFileSync(t.file, 'a3\na4-unterminated');
    renameSync(t.file, `${t.file}.1`);
    await tail.pollOnce(); // path missing for a moment: nothing lost, nothing duplicated
    writeFileSync(t.file, 'b1\nb2\n');
    await tail.pollOnce();
    expect(t.lines()).toEqual(['1:a1', '2:a2', '3:a3', '4:a4-unterminated', '1:b1', '2:b2']);
  });

  it('restarts at 0 when the file is truncated', async () => {
    const t = setup();
    writeFileSync(t.file, 'long line one\nlong line two\n');
    const tail = t.make();
    await tail.pollOnce();
    truncateSync(t.file, 0);
    appendFileSync(t.file, 'new\n');
    await tail.pollOnce();
    expect(t.lines()).toEqual(['1:long line one', '2:long line two', '1:new']);
  });

  it('resumes from the stored offset after a restart, across a JSON offset file', async () => {
    const t = setup();
    const offsets = new JsonFileOffsetStore(path.join(t.dir, 'state', 'offsets.json'));
    writeFileSync(t.file, 'x1\nx2\n');
    const first = t.make({ offsets, startAt: 'end' });
    await first.pollOnce(); // startAt end: existing lines are skipped
    appendFileSync(t.file, 'x3\n');
    await first.pollOnce();
    await first.stop();
    appendFileSync(t.file, 'x4\n');
    const second = t.make({
      offsets: new JsonFileOffsetStore(path.join(t.dir, 'state', 'offsets.json')),
      startAt: 'end',
    });
    await second.pollOnce();
    expect(t.records().map((r) => r.body)).toEqual(['x3', 'x4']);
  });

  it('reads a file created after start from its beginning even with startAt end', async () => {
    const t = setup({ startAt: 'end' });
    const tail = t.make();
    await tail.pollOnce();
    writeFileSync(t.file, 'born\n');
    await tail.pollOnce();
    expect(t.lines()).toEqual(['1:born']);
  });

  it('keeps the offset when the sink is overloaded and delivers the lines later', async () => {
    const t = setup();
    writeFileSync(t.file, 'p1\np2\n');
    const tail = t.make();
    t.failWith(new OverloadedError('full', 0));
    await tail.pollOnce();
    expect(t.records()).toHaveLength(0);
    expect(await t.offsets.get(t.file)).toBeNull();
    t.failWith(null);
    await tail.pollOnce();
    expect(t.lines()).toEqual(['1:p1', '2:p2']);
  });

  it('counts over-long lines as dropped and keeps byte offsets exact with invalid UTF-8', async () => {
    const t = setup({ maxLineBytes: 8 });
    writeFileSync(
      t.file,
      Buffer.concat([Buffer.from('ok\n'), Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from('0123456789\nend\n')]),
    );
    const tail = t.make();
    await tail.pollOnce();
    expect(t.records().map((r) => r.line)).toEqual([1, 2, 4]);
    expect(t.dropped.map((r) => r.body)).toEqual(['0123456789']);
    appendFileSync(t.file, 'after\n');
    await tail.pollOnce();
    expect(t.records().at(-1)).toMatchObject({ line: 5, body: 'after' });
  });

  it('drops a line longer than a read chunk once, without passing its rest on as lines', async () => {
    const t = setup();
    writeFileSync(t.file, `${'x'.repeat(3 << 20)}\nafter\n`);
    const tail = t.make();
    await tail.pollOnce();
    expect(t.dropped).toHaveLength(1);
    expect(t.lines()).toEqual(['2:after']);
    appendFileSync(t.file, `${'y'.repeat(1 << 20)}`);
    await tail.pollOnce();
    appendFileSync(t.file, `${'y'.repeat(1 << 20)}\nlast\n`);
    await tail.pollOnce();
    expect(t.dropped).toHaveLength(2);
    expect(t.lines()).toEqual(['2:after', '4:last']);
  });

  it('polls on its own after start()', async () => {
    const t = setup({ pollIntervalMs: 20 });
    writeFileSync(t.file, '');
    const tail = t.make();
    tail.start();
    await new Promise((r) => setTimeout(r, 50));
    appendFileSync(t.file, 'live\n');
    await expect.poll(() => t.lines(), { timeout: 2000 }).toEqual(['1:live']);
  });
});
