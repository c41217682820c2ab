import { createStreamDecoder, type StreamDecoder } from '../decode';
import { TemplateMiner, type MinerSnapshot } from '../mine/template-miner';
import type { LogRecord } from '../record';

/** Per-stream miner snapshots: the template store saved in a model bundle. */
export type TemplateStore = Record<string, MinerSnapshot>;

interface StreamState {
  decoder: StreamDecoder;
  miner: TemplateMiner;
  /** Frozen mode only: templates of lines the trained miner does not know. */
  novel?: TemplateMiner;
}

/**
 * Decodes and mines lines, one decoder and one miner per stream. In `learn` mode the miner grows
 * (training, baseline collection); in `frozen` mode lines are matched against the trained
 * templates and unknown lines are grouped by a separate miner, so the trained template ids never
 * change under a running model and new templates still get ids and texts of their own.
 */
export class StreamParser {
  private readonly streams = new Map<string, StreamState>();
  malformed = 0;

  constructor(
    private readonly mode: 'learn' | 'frozen',
    private readonly store: TemplateStore = {},
  ) {}

  parse(stream: string, line: string, lineNo: number): LogRecord | null {
    let s = this.streams.get(stream);
    if (!s) {
      const snap = this.store[stream];
      s = { decoder: createStreamDecoder(stream), miner: snap ? TemplateMiner.restore(snap) : new TemplateMiner() };
      if (this.mode === 'frozen') s.novel = new TemplateMiner();
      this.streams.set(stream, s);
    }
    const r = s.decoder.decode(line, lineNo);
    if (!r) {
      this.malformed++;
      return null;
    }
    let cluster = this.mode === 'learn' ? s.miner.add(r.body) : s.miner.match(r.body);
    let miner = s.miner;
    if (!cluster) {
      miner = s.novel!;
      cluster = miner.add(r.body);
    }
    r.templateId = cluster.id;
    r.template = cluster.template;
    r.params = miner.params(r.body, cluster);
    return r;
  }

  /** Template text of a known or novel template id in a stream, for explanations. */
  templateText(stream: string, id: string): string | undefined {
    const s = this.streams.get(stream);
    if (!s) return undefined;
    for (const m of [s.miner, s.novel]) {
      const t = m?.templates().find((x) => x.id === id);
      if (t) return t.template;
    }
    return undefined;
  }

  snapshot(): TemplateStore {
    const out: TemplateStore = { ...this.store };
    for (const [name, s] of this.streams) out[name] = s.miner.snapshot();
    return out;
  }

  streamNames(): string[] {
    return [...this.streams.keys()];
  }

  templateCount(): number {
    let n = 0;
    for (const s of this.streams.values()) n += s.miner.templates().length;
    return n;
  }
}
