import { open, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { LogRecord } from '../record';
import { admitRecords } from './admit-records';
import type { OffsetStore } from './offset-store';
import { OverloadedError } from './overloaded-error';
import type { IngestHooks, RecordSink } from './record-sink';

export interface FileTailOptions {
  /** ingest.file.paths: plain file paths (no globs). */
  paths: string[];
  /** ingest.file.startAt: where to begin a file that exists at start and has no stored offset. */
  startAt: 'beginning' | 'end';
  offsets: OffsetStore;
  sink: RecordSink;
  maxLineBytes: number;
  pollIntervalMs?: number;
  /** Records per sink call. */
  maxBatchLines?: number;
  hooks?: IngestHooks;
  /** I/O errors other than a missing file; tailing goes on with the next poll. */
  onError?: (err: unknown, filePath: string) => void;
}

interface Tailed {
  handle: FileHandle;
  inode: number;
  /** Byte after the last complete line handed to the sink. */
  offset: number;
  line: number;
  /** The bytes at offset continue an over-long line already passed on (and dropped): skip them. */
  inLongLine?: boolean;
}

const READ_CHUNK = 1 << 20;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Tails files by polling (fs.watch misses renames on some filesystems). Rotation: when the path
 * names a new inode, the old file is read to its end through the still-open handle (its last
 * unterminated line included), then the new file is read from 0. Truncation: a size below the
 * offset restarts at 0. The offset is stored only after the sink took the lines, so a crash
 * re-reads rather than loses; a partial last line waits for its newline.
 */
export class FileTail {
  private readonly files = new Map<string, Tailed>();
  /** Paths seen at the first poll: only those honour startAt; later files are new, read whole. */
  private firstPoll = true;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private resumeAt = 0;

  constructor(private readonly opts: FileTailOptions) {}

  start(): void {
    this.stopped = false;
    const loop = async () => {
      if (this.stopped) return;
      if (Date.now() >= this.resumeAt) {
        this.running = this.pollOnce();
        await this.running;
      }
      if (!this.stopped) this.timer = setTimeout(loop, this.opts.pollIntervalMs ?? 250);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await Promise.all([...this.files.values()].map((f) => f.handle.close()));
    this.files.clear();
  }

  /** One pass over every path; tests call it directly instead of start(). */
  async pollOnce(): Promise<void> {
    const first = this.firstPoll;
    this.firstPoll = false;
    for (const filePath of this.opts.paths) {
      try {
        await this.pollFile(filePath, first);
      } catch (err) {
        if (err instanceof OverloadedError) {
          // Back off: the lines stay in the file, which is the backpressure.
          this.resumeAt = Date.now() + err.retryAfterSeconds * 1000;
          return;
        }
        this.opts.onError?.(err, filePath);
      }
    }
  }

  private async pollFile(filePath: string, first: boolean): Promise<void> {
    const st = await stat(filePath).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    let tailed = this.files.get(filePath);
    if (!tailed) {
      if (!st) return;
      tailed = await this.openFile(
        filePath,
        st.ino,
        await this.startOffset(filePath, st.ino, st.size, first),
      );
    } else if (st && st.ino !== tailed.inode) {
      // Rotated: finish the old file, then follow the new one from its start.
      await this.readAvailable(filePath, tailed, true);
      await tailed.handle.close();
      this.files.delete(filePath);
      tailed = await this.openFile(filePath, st.ino, { offset: 0, line: 0 });
    }
    const size = (await tailed.handle.stat()).size;
    if (size < tailed.offset) {
      tailed.offset = 0;
      tailed.line = 0;
      await this.save(filePath, tailed);
    }
    await this.readAvailable(filePath, tailed, false);
  }

  private async startOffset(filePath: string, inode: number, size: number, first: boolean) {
    const stored = await this.opts.offsets.get(filePath);
    if (stored && stored.inode === inode && stored.offset <= size)
      return { offset: stored.offset, line: stored.line };
    // A stored offset for another inode or past the end: rotated or truncated while we were down.
    if (stored) return { offset: 0, line: 0 };
    return first && this.opts.startAt === 'end' ? { offset: size, line: 0 } : { offset: 0, line: 0 };
  }

  private async openFile(
    filePath: string,
    inode: number,
    at: { offset: number; line: number },
  ): Promise<Tailed> {
    const handle = await open(filePath, 'r');
    const tailed: Tailed = { handle, inode, ...at };
    this.files.set(filePath, tailed);
    return tailed;
  }

  /** Reads complete lines to the end of the file; `final` also sends an unterminated last line. */
  private async readAvailable(filePath: string, tailed: Tailed, final: boolean): Promise<void> {
    const chunkSize = Math.max(READ_CHUNK, this.opts.maxLineBytes + 1);
    const buffer = Buffer.allocUnsafe(chunkSize);
    for (;;) {
      const { bytesRead } = await tailed.handle.read(buffer, 0, chunkSize, tailed.offset);
      if (bytesRead === 0) return;
      const atEnd = bytesRead < chunkSize;
      let end = buffer.subarray(0, bytesRead).lastIndexOf(NEWLINE) + 1;
      // At the end of a rotated file the rest is a line: nothing more will be appended to it.
      if (final && atEnd) end = bytesRead;
      // A full chunk without a newline is a line longer than any allowed: pass it on to be
      // counted as too long rather than wait for its end forever.
      else if (end === 0 && !atEnd) end = bytesRead;
      if (end === 0) return;
      await this.deliver(filePath, tailed, buffer.subarray(0, end));
      if (atEnd) return;
    }
  }

  /** Sends `bytes` (whole lines) in batches, storing the offset after each accepted batch. */
  private async deliver(filePath: string, tailed: Tailed, bytes: Buffer): Promise<void> {
    const stream = path.basename(filePath);
    const batchSize = this.opts.maxBatchLines ?? 1000;
    const base = tailed.offset;
    let batch: LogRecord[] = [];
    const flush = async (consumed: number) => {
      await admitRecords(batch, 'file', this.opts);
      tailed.line += batch.length;
      tailed.offset = base + consumed;
      batch = [];
      await this.save(filePath, tailed);
    };
    let start = 0;
    if (tailed.inLongLine) {
      const nl = bytes.indexOf(NEWLINE);
      start = nl === -1 ? bytes.length : nl + 1;
      tailed.inLongLine = nl === -1;
    }
    // A delivery that does not end in a newline was cut inside a line (see readAvailable).
    if (bytes[bytes.length - 1] !== NEWLINE && start < bytes.length) tailed.inLongLine = true;
    while (start < bytes.length) {
      const nl = bytes.indexOf(NEWLINE, start);
      const next = nl === -1 ? bytes.length : nl + 1;
      let lineEnd = nl === -1 ? bytes.length : nl;
      if (lineEnd > start && bytes[lineEnd - 1] === CARRIAGE_RETURN) lineEnd--;
      // Offsets count bytes, so lines are cut from the buffer before decoding.
      const body = bytes.toString('utf8', start, lineEnd);
      batch.push({
        stream,
        line: tailed.line + batch.length + 1,
        timeMs: null,
        severityNumber: 0,
        severityText: '',
        body,
        raw: body,
      });
      start = next;
      if (batch.length >= batchSize) await flush(start);
    }
    if (batch.length > 0 || start > 0) await flush(start);
  }

  private save(filePath: string, t: Tailed): Promise<void> {
    return this.opts.offsets.set(filePath, { inode: t.inode, offset: t.offset, line: t.line });
  }
}
