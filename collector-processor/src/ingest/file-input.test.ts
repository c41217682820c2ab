import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { CliError } from '../cli/cli-error';
import { readLineBatches, resolveInputs, type InputSource } from './file-input';

let dir: string;

async function allLines(src: InputSource): Promise<string[]> {
  const out: string[] = [];
  for await (const b of readLineBatches(src)) out.push(...b);
  return out;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'logsieve-input-'));
  writeFileSync(path.join(dir, 'plain.log'), 'one\r\ntwo\nthree');
  writeFileSync(path.join(dir, 'packed.log.gz'), gzipSync('alpha\nbeta\n'));
  writeFileSync(path.join(dir, 'no-suffix'), gzipSync('gamma\n'));
  mkdirSync(path.join(dir, 'folder'));
  writeFileSync(path.join(dir, 'folder', 'b.log'), 'b\n');
  writeFileSync(path.join(dir, 'folder', 'a.log'), 'a\n');
  writeFileSync(path.join(dir, 'folder', '.hidden'), 'h\n');
  mkdirSync(path.join(dir, 'empty'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resolveInputs', () => {
  it('names streams after files and expands folders in name order', () => {
    expect(resolveInputs([path.join(dir, 'plain.log'), path.join(dir, 'folder'), '-'])).toEqual([
      { stream: 'plain.log', path: path.join(dir, 'plain.log') },
      { stream: 'a.log', path: path.join(dir, 'folder', 'a.log') },
      { stream: 'b.log', path: path.join(dir, 'folder', 'b.log') },
      { stream: 'stdin', path: '-' },
    ]);
    expect(resolveInputs([path.join(dir, 'packed.log.gz')])[0]!.stream).toBe('packed.log');
  });

  it('tells files of the same name in different folders apart by their folders', () => {
    for (const f of ['api', 'worker']) {
      mkdirSync(path.join(dir, 'same', f), { recursive: true });
      writeFileSync(path.join(dir, 'same', f, 'app.log'), 'x\n');
    }
    const api = path.join(dir, 'same', 'api', 'app.log');
    expect(
      resolveInputs([api, path.join(dir, 'same', 'worker', 'app.log'), path.join(dir, 'plain.log')]),
    ).toEqual([
      { stream: 'api/app.log', path: api },
      { stream: 'worker/app.log', path: path.join(dir, 'same', 'worker', 'app.log') },
      { stream: 'plain.log', path: path.join(dir, 'plain.log') },
    ]);
    // The same file twice is one stream.
    expect(resolveInputs([api, api]).map((i) => i.stream)).toEqual(['app.log', 'app.log']);
  });

  it('throws a CliError for no input, a missing path, an empty folder', () => {
    expect(() => resolveInputs([])).toThrow(CliError);
    expect(() => resolveInputs([path.join(dir, 'missing.log')])).toThrow(/missing\.log: no such file/);
    expect(() => resolveInputs([path.join(dir, 'empty')])).toThrow(/has no files/);
  });

  it.skipIf(process.getuid?.() === 0)('throws a CliError for an unreadable file', () => {
    const f = path.join(dir, 'secret.log');
    writeFileSync(f, 'x');
    chmodSync(f, 0o000);
    expect(() => resolveInputs([f])).toThrow(/permission denied/);
  });
});

describe('readLineBatches', () => {
  it('reads plain files with CRLF and no final newline', async () => {
    expect(await allLines({ stream: 'p', path: path.join(dir, 'plain.log') })).toEqual([
      'one',
      'two',
      'three',
    ]);
  });

  it('decodes UTF-8 split across read chunks, ASCII chunks before and after, and bad bytes', async () => {
    // Read chunks are 1 MiB: a 3-byte character across the first boundary, an all-ASCII chunk
    // after it, then an invalid byte.
    const ascii = 'x'.repeat(99) + '\n';
    const head = ascii.repeat(10_486).slice(0, (1 << 20) - 2);
    const text = head + '€😀\n' + ascii.repeat(20_000) + 'tail\n';
    const bytes = Buffer.concat([Buffer.from(text), Buffer.from([0x61, 0xff, 0x62, 0x0a])]);
    const file = path.join(dir, 'utf8.log');
    writeFileSync(file, bytes);
    const lines = await allLines({ stream: 'utf8.log', path: file });
    expect(lines).toEqual(bytes.toString('utf8').split('\n').slice(0, -1));
    expect(lines.at(-1)).toBe('a\ufffdb');
  });

  it('gunzips by magic bytes, whatever the name', async () => {
    expect(await allLines({ stream: 'g', path: path.join(dir, 'packed.log.gz') })).toEqual(['alpha', 'beta']);
    expect(await allLines({ stream: 'g', path: path.join(dir, 'no-suffix') })).toEqual(['gamma']);
  });

  it('reports a corrupt gzip as a CliError naming the file', async () => {
    const f = path.join(dir, 'broken.gz');
    writeFileSync(f, Buffer.concat([gzipSync('x\n'.repeat(1000)).subarray(0, 20)]));
    await expect(allLines({ stream: 'b', path: f })).rejects.toThrow(/broken\.gz/);
  });

  it('counts truncated lines', async () => {
    const f = path.join(dir, 'long.log');
    writeFileSync(f, `${'x'.repeat(70 * 1024)}\nshort\n`);
    const counts = { truncated: 0 };
    const lines: string[] = [];
    for await (const b of readLineBatches({ stream: 'l', path: f }, counts)) lines.push(...b);
    expect(lines.map((l) => l.length)).toEqual([64 * 1024, 5]);
    expect(counts.truncated).toBe(1);
  });
});
