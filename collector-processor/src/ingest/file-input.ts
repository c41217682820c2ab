import { createReadStream, openSync, readSync, closeSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import { StringDecoder } from 'node:string_decoder';
import { isAscii } from 'node:buffer';
import type { Readable } from 'node:stream';
import { CliError } from '../cli/cli-error';
import { LineSplitter } from './line-splitter';

/** One input of a CLI run: a file (plain or gzip) or stdin, read as one stream. */
export interface InputSource {
  /**
   * Stream name: the file's base name (without .gz), `stdin` for `-`; files of the same base name in
   * different folders are told apart by their folders (`api/app.log`, `worker/app.log`).
   */
  stream: string;
  /** File path, or `-` for stdin. */
  path: string;
}

const READ_CHUNK = 1 << 20;

function describe(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return (err as Error).message ?? String(err);
}

function streamName(file: string): string {
  return path.basename(file).replace(/\.gz$/, '');
}

/**
 * Expands the CLI's --input arguments: files as given, a folder as every regular file in it
 * (sorted, not recursive, hidden files skipped), `-` as stdin. Throws CliError for a missing or
 * unreadable path, an empty folder or no arguments at all.
 */
export function resolveInputs(paths: string[]): InputSource[] {
  if (!paths.length)
    throw new CliError('no input given: use --input PATH... (a file, a folder or - for stdin)');
  const out: InputSource[] = [];
  for (const p of paths) {
    if (p === '-') {
      out.push({ stream: 'stdin', path: '-' });
      continue;
    }
    let st;
    try {
      st = statSync(p);
    } catch (err) {
      throw new CliError(`cannot read input ${p}: ${describe(err)}`);
    }
    if (st.isDirectory()) {
      let names: string[];
      try {
        names = readdirSync(p)
          .filter((n) => !n.startsWith('.'))
          .sort();
      } catch (err) {
        throw new CliError(`cannot read folder ${p}: ${describe(err)}`);
      }
      const files = names.map((n) => path.join(p, n)).filter((f) => statSync(f).isFile());
      if (!files.length) throw new CliError(`folder ${p} has no files to read`);
      for (const f of files) out.push({ stream: streamName(f), path: checkReadable(f) });
    } else out.push({ stream: streamName(p), path: checkReadable(p) });
  }
  return distinctStreams(out);
}

/** Renames inputs whose base names collide to their shortest distinct trailing paths. */
function distinctStreams(inputs: InputSource[]): InputSource[] {
  const byName = new Map<string, Set<string>>();
  for (const i of inputs) {
    if (i.path === '-') continue;
    const paths = byName.get(i.stream) ?? new Set<string>();
    byName.set(i.stream, paths.add(path.resolve(i.path)));
  }
  const renamed = new Map<string, string>();
  for (const paths of byName.values()) {
    if (paths.size < 2) continue;
    const parts = [...paths].map((p) => p.split(path.sep).filter(Boolean));
    const deepest = Math.max(...parts.map((ps) => ps.length));
    for (let k = 2; ; k++) {
      const names = parts.map((ps) => ps.slice(-k).join('/').replace(/\.gz$/, ''));
      if (new Set(names).size === names.length || k >= deepest) {
        [...paths].forEach((p, i) => renamed.set(p, names[i]!));
        break;
      }
    }
  }
  return inputs.map((i) =>
    i.path === '-' ? i : { ...i, stream: renamed.get(path.resolve(i.path)) ?? i.stream },
  );
}

/** Opens and reads the first bytes now, so a permission problem is reported before any work. */
function checkReadable(file: string): string {
  try {
    closeSync(openSync(file, 'r'));
  } catch (err) {
    throw new CliError(`cannot read input ${file}: ${describe(err)}`);
  }
  return file;
}

function isGzipFile(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** Byte chunks of the source, gunzipped when they start with the gzip magic bytes. */
async function* byteChunks(src: InputSource): AsyncGenerator<Buffer> {
  if (src.path !== '-') {
    const raw = createReadStream(src.path, { highWaterMark: READ_CHUNK });
    yield* (
      isGzipFile(src.path) ? raw.pipe(createGunzip({ chunkSize: READ_CHUNK })) : raw
    ) as AsyncIterable<Buffer>;
    return;
  }
  // stdin cannot be peeked at: look at the first chunk and route everything accordingly.
  const stdin = process.stdin as Readable;
  const it = (stdin as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head = first.value;
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip({ chunkSize: READ_CHUNK });
    void (async () => {
      gunzip.write(head);
      for (let r = await it.next(); !r.done; r = await it.next())
        if (!gunzip.write(r.value)) await new Promise((ok) => gunzip.once('drain', ok));
      gunzip.end();
    })().catch((err: Error) => gunzip.destroy(err));
    yield* gunzip as AsyncIterable<Buffer>;
    return;
  }
  yield head;
  for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
}

export interface LineCounts {
  /** Lines longer than the cap, cut to it. */
  truncated: number;
}

/**
 * The lines of a source in batches (one per read chunk), UTF-8 decoded, line endings removed.
 * `counts` is updated as reading goes. Read errors (a corrupt gzip, a vanished file) become a
 * CliError naming the file.
 */
export async function* readLineBatches(
  src: InputSource,
  counts: LineCounts = { truncated: 0 },
): AsyncGenerator<string[]> {
  const splitter = new LineSplitter();
  const decoder = new StringDecoder('utf8');
  // Logs are mostly ASCII, where latin1 is UTF-8 and several times faster to decode. The decoder
  // holds no partial character after a chunk that ends in an ASCII byte.
  let clean = true;
  try {
    for await (const chunk of byteChunks(src)) {
      const text = clean && isAscii(chunk) ? chunk.toString('latin1') : decoder.write(chunk);
      clean = chunk.length === 0 || chunk[chunk.length - 1]! < 0x80;
      const lines = splitter.push(text);
      counts.truncated = splitter.truncated;
      if (lines.length) yield lines;
    }
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`cannot read input ${src.path === '-' ? 'stdin' : src.path}: ${describe(err)}`);
  }
  const last = splitter.end(splitter.push(decoder.end()));
  counts.truncated = splitter.truncated;
  if (last.length) yield last;
}
