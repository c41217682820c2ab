import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/*
 * A bounded first-in-first-out queue of JSON values on disk, for writes that must outlive an
 * outage of their destination and a restart of the process. One file per entry, named by a
 * sequence number, written to a temporary name, synced and renamed: a crash leaves either the
 * whole entry or none of it.
 */

const SUFFIX = '.json';

interface Entry {
  seq: number;
  bytes: number;
  /** False while its append is still writing the file. */
  written: boolean;
}
const NAME_DIGITS = 16;

export class DiskBuffer<T> {
  private constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
    /** Sequence numbers of the entries, oldest first, with their sizes. */
    private readonly entries: Entry[],
    private totalBytes: number,
    /** Never reused: a file being removed can't be mistaken for a new entry of the same number. */
    private nextSeq: number,
  ) {}

  /** Opens (creating) the buffer in `dir`, picking up what an earlier process left there. */
  static async open<T>(dir: string, maxBytes: number): Promise<DiskBuffer<T>> {
    await mkdir(dir, { recursive: true });
    const entries: Entry[] = [];
    let total = 0;
    for (const name of await readdir(dir)) {
      const file = path.join(dir, name);
      // A temporary file is an append that a crash cut short: it was never acknowledged.
      if (!name.endsWith(SUFFIX)) {
        await rm(file, { force: true });
        continue;
      }
      const bytes = (await stat(file)).size;
      entries.push({ seq: Number(name.slice(0, -SUFFIX.length)), bytes, written: true });
      total += bytes;
    }
    entries.sort((a, b) => a.seq - b.seq);
    return new DiskBuffer<T>(dir, maxBytes, entries, total, (entries.at(-1)?.seq ?? 0) + 1);
  }

  /** Entries waiting. */
  get length(): number {
    return this.entries.length;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** Writes `value` durably at the end; false (nothing written) when it would pass the bound. */
  async append(value: T): Promise<boolean> {
    const data = Buffer.from(JSON.stringify(value));
    if (this.totalBytes + data.length > this.maxBytes) return false;
    const seq = this.nextSeq++;
    // Reserved before the first await: appends running side by side get distinct numbers.
    const entry: Entry = { seq, bytes: data.length, written: false };
    this.entries.push(entry);
    this.totalBytes += data.length;
    const file = this.file(seq);
    try {
      const fh = await open(`${file}.tmp`, 'w');
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(`${file}.tmp`, file);
      entry.written = true;
    } catch (err) {
      this.entries.splice(this.entries.indexOf(entry), 1);
      this.totalBytes -= data.length;
      await rm(`${file}.tmp`, { force: true });
      throw err;
    }
    return true;
  }

  /** The oldest entry, left in place; undefined when empty or while that entry is being written. */
  async peek(): Promise<T | undefined> {
    const first = this.entries[0];
    if (!first?.written) return undefined;
    return JSON.parse(await readFile(this.file(first.seq), 'utf8')) as T;
  }

  /** Removes the oldest entry (the one peek returned) once its write has succeeded. */
  async shift(): Promise<void> {
    if (!this.entries[0]?.written) return;
    const first = this.entries.shift()!;
    this.totalBytes -= first.bytes;
    await rm(this.file(first.seq), { force: true });
  }

  private file(seq: number): string {
    return path.join(this.dir, String(seq).padStart(NAME_DIGITS, '0') + SUFFIX);
  }
}
