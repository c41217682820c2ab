import { appendFile, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogRecord } from '../record';
import { safeValue } from '../safe-value';

/** The latest decoded records, kept (bounded) for scheduled and on-demand retraining. */
export interface RecordHistory {
  append(records: LogRecord[]): Promise<void>;
  /** Oldest first, at most the bound; template fields cleared (training mines afresh). */
  read(): Promise<LogRecord[]>;
}

function forTraining(r: LogRecord): LogRecord {
  return { ...r, templateId: undefined, template: undefined, params: undefined };
}

/**
 * One NDJSON line. Ingest bounds attribute depth; a record that still nests too deeply for
 * JSON.stringify is written with its attributes bounded rather than failing its whole batch.
 */
function historyLine(r: LogRecord): string {
  const t = forTraining(r);
  try {
    return JSON.stringify(t);
  } catch {
    return JSON.stringify({ ...t, attributes: safeValue(t.attributes), resource: safeValue(t.resource) });
  }
}

/** History in memory: what a pipeline without a data folder keeps (lost on restart). */
export class MemoryHistory implements RecordHistory {
  private records: LogRecord[] = [];

  constructor(private readonly max: number) {}

  async append(records: LogRecord[]): Promise<void> {
    for (const r of records) this.records.push(forTraining(r));
    // Trim in steps, not per record: slicing is O(n).
    if (this.records.length > this.max + this.max / 4) this.records = this.records.slice(-this.max);
  }

  async read(): Promise<LogRecord[]> {
    return this.records.slice(-this.max);
  }
}

const SEGMENT = /^(\d{12})\.ndjson$/;

/**
 * History on disk that survives a restart: NDJSON segment files in `dir`, a new one every
 * `segmentRecords` records (and at each start), the oldest deleted once the rest hold `max`.
 */
export class DiskHistory implements RecordHistory {
  private segments: { seq: number; records: number }[] = [];
  private writing: { seq: number; records: number } | null = null;

  private constructor(
    private readonly dir: string,
    private readonly max: number,
    private readonly segmentRecords: number,
  ) {}

  static async open(dir: string, max: number, segmentRecords = Math.max(1, Math.ceil(max / 8))) {
    await mkdir(dir, { recursive: true });
    const h = new DiskHistory(dir, max, segmentRecords);
    const seqs = (await readdir(dir))
      .map((f) => SEGMENT.exec(f)?.[1])
      .filter((s): s is string => s !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    // Sizes of earlier segments are only estimated (full) so opening reads nothing.
    h.segments = seqs.map((seq) => ({ seq, records: segmentRecords }));
    return h;
  }

  private file(seq: number): string {
    return join(this.dir, `${String(seq).padStart(12, '0')}.ndjson`);
  }

  async append(records: LogRecord[]): Promise<void> {
    if (records.length === 0) return;
    if (!this.writing || this.writing.records >= this.segmentRecords) {
      this.writing = { seq: (this.segments.at(-1)?.seq ?? 0) + 1, records: 0 };
      this.segments.push(this.writing);
    }
    await appendFile(this.file(this.writing.seq), records.map(historyLine).join('\n') + '\n');
    this.writing.records += records.length;
    let kept = this.segments.reduce((n, s) => n + s.records, 0);
    while (this.segments.length > 1 && kept - this.segments[0]!.records >= this.max) {
      const old = this.segments.shift()!;
      kept -= old.records;
      await rm(this.file(old.seq), { force: true });
    }
  }

  async read(): Promise<LogRecord[]> {
    const out: LogRecord[] = [];
    for (const s of this.segments) {
      const text = await readFile(this.file(s.seq), 'utf8').catch(() => '');
      for (const line of text.split('\n')) {
        if (!line) continue;
        try {
          out.push(JSON.parse(line) as LogRecord);
        } catch {
          // A line cut short by a crash mid-write: skip it.
        }
      }
    }
    return out.slice(-this.max);
  }
}
