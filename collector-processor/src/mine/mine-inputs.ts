import { PROFILE_LINES } from '../decode/header-scan';
import { createStreamDecoder, type StreamDecoder } from '../decode/stream-decoder';
import { readLineBatches, type InputSource } from '../ingest/file-input';
import type { LogRecord } from '../record';
import type { Cluster } from './cluster';
import { TemplateMiner } from './template-miner';

/**
 * Batch mining for the CLI: reads every source, decodes each file with its own decoder (format
 * detection is per file) and mines each stream name with one miner.
 */

export interface RunCounts {
  lines: number;
  /** Lines the decoder rejected (empty, binary, broken JSON): counted, not mined. */
  malformed: number;
  /** Lines cut to the line-length cap. */
  truncated: number;
}

/** Called for every line in input order; `rec` and `cluster` are null for a malformed line. */
export type LineVisitor = (
  src: InputSource,
  lineNo: number,
  rec: LogRecord | null,
  cluster: Cluster | null,
) => void;

export class MiningRun {
  readonly miners = new Map<string, TemplateMiner>();
  readonly counts: RunCounts = { lines: 0, malformed: 0, truncated: 0 };
  /** stdin can be read once: its lines are kept when a second pass is wanted. */
  private stdinLines: string[] | null = null;

  /**
   * `keepStdin`: keep stdin's lines for `replay`. `times`: parse header times (not needed when
   * only templates are wanted).
   */
  constructor(
    private readonly keepStdin = false,
    private readonly times = true,
  ) {}

  miner(stream: string): TemplateMiner {
    let m = this.miners.get(stream);
    if (!m) this.miners.set(stream, (m = new TemplateMiner()));
    return m;
  }

  /** Learning pass: every line is added to its stream's miner. */
  async learn(sources: InputSource[], visit?: LineVisitor): Promise<void> {
    for (const src of sources) {
      const miner = this.miner(src.stream);
      await this.decodeSource(src, true, (lineNo, rec) => {
        const cluster = rec ? miner.add(rec.body) : null;
        if (!rec) this.counts.malformed++;
        visit?.(src, lineNo, rec, cluster);
      });
    }
  }

  /**
   * Decodes a source again, in the same way as `learn` did (same priming, same detection), so a
   * second pass sees the same bodies; stdin comes from the lines kept by `learn`.
   */
  async replay(
    src: InputSource,
    visit: (lineNo: number, rec: LogRecord | null) => void,
    afterBatch?: () => Promise<void>,
  ): Promise<void> {
    await this.decodeSource(src, false, visit, afterBatch);
  }

  private async decodeSource(
    src: InputSource,
    first: boolean,
    visit: (lineNo: number, rec: LogRecord | null) => void,
    afterBatch?: () => Promise<void>,
  ): Promise<void> {
    let decoder: StreamDecoder | null = null;
    let lineNo = 0;
    const counts = { truncated: 0 };
    for await (const batch of this.batches(src, first, counts)) {
      if (!decoder) {
        decoder = createStreamDecoder(src.stream, { times: this.times });
        decoder.prime(batch.slice(0, PROFILE_LINES));
      }
      for (const line of batch) visit(++lineNo, decoder.decode(line, lineNo));
      if (afterBatch) await afterBatch();
    }
    if (first) {
      this.counts.lines += lineNo;
      this.counts.truncated += counts.truncated;
    }
  }

  private async *batches(
    src: InputSource,
    first: boolean,
    counts: { truncated: number },
  ): AsyncGenerator<string[]> {
    if (src.path !== '-' || !this.keepStdin) {
      yield* readLineBatches(src, counts);
      return;
    }
    if (!first) {
      if (this.stdinLines) yield this.stdinLines;
      return;
    }
    this.stdinLines = [];
    for await (const batch of readLineBatches(src, counts)) {
      for (const l of batch) this.stdinLines.push(l);
      yield batch;
    }
  }

  /** One line for stderr: what was read, and what was skipped or cut. */
  summary(): string {
    let templates = 0;
    for (const m of this.miners.values()) templates += m.templateCount;
    const c = this.counts;
    return (
      `logsieve: ${c.lines} lines in ${this.miners.size} stream(s), ${templates} templates; ` +
      `${c.malformed} malformed line(s) counted and not mined; ${c.truncated} line(s) truncated to 64 KiB`
    );
  }
}
