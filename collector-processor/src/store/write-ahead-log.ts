import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';

/*
 * An append-only log of opaque entries on disk, numbered 1, 2, 3... in append order: what a
 * service acknowledges is written here first, so a process killed before the entries reached
 * their real destination replays them at its next start. Entries live in segment files named by
 * the number of their first entry; each entry is framed as
 *
 *   u32 payload length | u32 CRC-32 of (sequence number, payload) | u64 sequence number | payload
 *
 * (little endian), so a write torn by a crash or power loss is recognised at open and cut off.
 * Segments whose entries are all covered by a checkpoint are deleted (`truncate`).
 */

/**
 * `always`: an append resolves once fsync'd (concurrent appends share one fsync); survives power
 * loss. `interval`: an append resolves once written to the operating system, and the log is
 * fsync'd every `fsyncIntervalMs`; survives the process being killed, power loss may take the
 * last interval.
 */
export type WalFsync = 'always' | 'interval';

export interface WriteAheadLogOptions {
  fsync: WalFsync;
  fsyncIntervalMs: number;
  /** Bytes on disk (and being written) from which `refusal` refuses appends. */
  maxBytes: number;
  /** A segment is closed and a new one started once it is this large. */
  segmentBytes?: number;
}

export interface WalEntry {
  seq: number;
  payload: Buffer;
}

interface Segment {
  file: string;
  firstSeq: number;
  /** firstSeq - 1 while empty. */
  lastSeq: number;
  bytes: number;
}

const HEADER = 16;
const SUFFIX = '.wal';
const NAME_DIGITS = 20;
const DEFAULT_SEGMENT_BYTES = 32 * 1024 * 1024;

export class WriteAheadLog {
  private nextSeqValue: number;
  private totalBytes: number;
  private pending: { frame: Buffer; seq: number; resolve: () => void; reject: (err: Error) => void }[] = [];
  private flushQueued = false;
  /** File operations, one at a time and in order: group writes, rolls, deletes, fsyncs. */
  private chain: Promise<void> = Promise.resolve();
  private unsynced = false;
  private failure: Error | null = null;
  private readonly timer: NodeJS.Timeout | null;

  private constructor(
    private readonly dir: string,
    private readonly o: WriteAheadLogOptions,
    /** Stable across restarts: names this log's position in the stored checkpoint. */
    readonly id: string,
    private readonly segments: Segment[],
    private active: FileHandle,
    /** Bytes of torn or corrupt entries cut off at open. */
    readonly cutBytes: number,
  ) {
    const last = segments.at(-1)!;
    this.nextSeqValue = last.lastSeq + 1;
    this.totalBytes = segments.reduce((n, s) => n + s.bytes, 0);
    this.timer =
      o.fsync === 'interval'
        ? setInterval(() => {
            if (!this.unsynced) return;
            this.unsynced = false;
            void this.enqueue(() => this.active.datasync()).catch((err: Error) => {
              // Written data that may not reach the disk: refuse more rather than promise it.
              this.failure ??= err;
            });
          }, o.fsyncIntervalMs).unref()
        : null;
  }

  /** Opens (creating) the log in `dir`, cutting off a torn or corrupt tail of each segment. */
  static async open(dir: string, o: WriteAheadLogOptions): Promise<WriteAheadLog> {
    await mkdir(dir, { recursive: true });
    const id = await readOrCreateId(dir);
    const segments: Segment[] = [];
    let cut = 0;
    const names = (await readdir(dir)).filter((n) => n.endsWith(SUFFIX)).sort();
    for (const name of names) {
      const file = path.join(dir, name);
      const firstSeq = Number(name.slice(0, -SUFFIX.length));
      const data = await readFile(file);
      const { lastSeq, bytes } = scan(data, firstSeq);
      if (bytes < data.length) {
        cut += data.length - bytes;
        const fh = await open(file, 'r+');
        try {
          await fh.truncate(bytes);
          await fh.sync();
        } finally {
          await fh.close();
        }
      }
      segments.push({ file, firstSeq, lastSeq, bytes });
    }
    // The last segment's name keeps the numbering going even when every entry was deleted, so
    // numbers already covered by a stored checkpoint are never given out again.
    if (segments.length === 0) segments.push(await createSegment(dir, 1, o.fsync === 'always'));
    const active = await open(segments.at(-1)!.file, 'a');
    return new WriteAheadLog(dir, o, id, segments, active, cut);
  }

  /** The number the next append takes. */
  get nextSeq(): number {
    return this.nextSeqValue;
  }

  /** Bytes on disk and being written. */
  get bytes(): number {
    return this.totalBytes;
  }

  /** Why no entry can be appended now (maxBytes reached, or a write failed), else null. */
  refusal(): string | null {
    if (this.failure) return `write-ahead log failed: ${this.failure.message}`;
    if (this.totalBytes >= this.o.maxBytes)
      return `write-ahead log full (${this.totalBytes} of ${this.o.maxBytes} bytes not yet checkpointed)`;
    return null;
  }

  /**
   * Appends an entry numbered `nextSeq` (taken at once, in call order); resolves once it is
   * written, and fsync'd under `always`.
   */
  append(payload: Buffer): Promise<void> {
    const seq = this.nextSeqValue++;
    const frame = Buffer.allocUnsafe(HEADER + payload.length);
    frame.writeUInt32LE(payload.length, 0);
    frame.writeBigUInt64LE(BigInt(seq), 8);
    payload.copy(frame, HEADER);
    frame.writeUInt32LE(crc32(frame.subarray(8)), 4);
    this.totalBytes += frame.length;
    return new Promise((resolve, reject) => {
      this.pending.push({ frame, seq, resolve, reject });
      if (this.flushQueued) return;
      this.flushQueued = true;
      void this.enqueue(() => this.flush());
    });
  }

  /** The entries numbered after `afterSeq`, oldest first (before any append of this process). */
  async *replay(afterSeq: number): AsyncGenerator<WalEntry> {
    for (const s of [...this.segments]) {
      if (s.lastSeq <= afterSeq) continue;
      const data = await readFile(s.file);
      for (const e of entries(data.subarray(0, s.bytes), s.firstSeq)) if (e.seq > afterSeq) yield e;
    }
  }

  /** Deletes what only holds entries up to `seq` (they are part of a stored checkpoint). */
  truncate(seq: number): Promise<void> {
    return this.enqueue(async () => {
      const active = this.segments.at(-1)!;
      // Everything written is covered: start an empty segment so the full one can go.
      if (active.lastSeq >= active.firstSeq && active.lastSeq <= seq)
        await this.roll(this.pending[0]?.seq ?? this.nextSeqValue);
      while (this.segments.length > 1 && this.segments[1]!.firstSeq - 1 <= seq) {
        const gone = this.segments.shift()!;
        await rm(gone.file, { force: true });
        this.totalBytes -= gone.bytes;
      }
    });
  }

  /** Writes what is pending, fsyncs and closes the file. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.enqueue(async () => {
      await this.flush();
      await this.active.datasync();
      await this.active.close();
    });
  }

  private enqueue(op: () => Promise<void>): Promise<void> {
    const p = this.chain.then(op);
    this.chain = p.catch(() => {});
    return p;
  }

  /** Writes every pending entry with one write (group commit). */
  private async flush(): Promise<void> {
    this.flushQueued = false;
    const group = this.pending;
    this.pending = [];
    if (group.length === 0) return;
    const data = group.length === 1 ? group[0]!.frame : Buffer.concat(group.map((g) => g.frame));
    try {
      if (this.failure) throw this.failure;
      let active = this.segments.at(-1)!;
      if (active.bytes >= (this.o.segmentBytes ?? DEFAULT_SEGMENT_BYTES))
        active = await this.roll(group[0]!.seq);
      try {
        for (let off = 0; off < data.length;) off += (await this.active.write(data, off)).bytesWritten;
        if (this.o.fsync === 'always') await this.active.datasync();
        else this.unsynced = true;
      } catch (err) {
        // Cut what was half written, so the entries after it are not lost behind a torn one.
        await this.active.truncate(active.bytes).catch((e: Error) => (this.failure ??= e));
        throw err;
      }
      active.bytes += data.length;
      active.lastSeq = group.at(-1)!.seq;
      for (const g of group) g.resolve();
    } catch (err) {
      this.totalBytes -= data.length;
      for (const g of group) g.reject(err as Error);
    }
  }

  /** Closes the active segment (fsync'd) and starts a new one whose first entry is `firstSeq`. */
  private async roll(firstSeq: number): Promise<Segment> {
    await this.active.datasync();
    await this.active.close();
    const s = await createSegment(this.dir, firstSeq, this.o.fsync === 'always');
    this.segments.push(s);
    this.active = await open(s.file, 'a');
    return s;
  }
}

/** The valid prefix of a segment: its last entry's number and length in bytes. */
function scan(data: Buffer, firstSeq: number): { lastSeq: number; bytes: number } {
  let lastSeq = firstSeq - 1;
  let bytes = 0;
  for (const e of entries(data, firstSeq)) {
    lastSeq = e.seq;
    bytes += HEADER + e.payload.length;
  }
  return { lastSeq, bytes };
}

/** Entries in order until the data ends or an entry is torn, corrupt or out of sequence. */
function* entries(data: Buffer, firstSeq: number): Generator<WalEntry> {
  let off = 0;
  let expected = firstSeq;
  while (off + HEADER <= data.length) {
    const len = data.readUInt32LE(off);
    if (off + HEADER + len > data.length) return;
    if (crc32(data.subarray(off + 8, off + HEADER + len)) !== data.readUInt32LE(off + 4)) return;
    const seq = Number(data.readBigUInt64LE(off + 8));
    if (seq !== expected) return;
    yield { seq, payload: data.subarray(off + HEADER, off + HEADER + len) };
    off += HEADER + len;
    expected++;
  }
}

async function createSegment(dir: string, firstSeq: number, syncDir: boolean): Promise<Segment> {
  const file = path.join(dir, `${String(firstSeq).padStart(NAME_DIGITS, '0')}${SUFFIX}`);
  await (await open(file, 'a')).close();
  // The new name itself must survive power loss, not only the data later written to it.
  if (syncDir) await syncDirectory(dir);
  return { file, firstSeq, lastSeq: firstSeq - 1, bytes: 0 };
}

async function readOrCreateId(dir: string): Promise<string> {
  const file = path.join(dir, 'id');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const id = randomUUID();
  const fh = await open(`${file}.tmp`, 'w');
  try {
    await fh.writeFile(id);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(`${file}.tmp`, file);
  await syncDirectory(dir);
  return id;
}

async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
