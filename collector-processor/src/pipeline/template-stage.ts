import type { MinerSnapshot } from '../mine/template-miner';
import { TemplateMiner } from '../mine/template-miner';
import type { Cluster } from '../mine/cluster';
import { templateId } from '../mine/template-id';
import type { LogRecord } from '../record';

/** Per-stream miner snapshots: the template store saved in a model bundle. */
export type TemplateStore = Record<string, MinerSnapshot>;

/**
 * limits.maxTemplatesPerStream: a stream holding that many templates (trained and novel) learns
 * no new ones; lines that match none of them get the overflow template, so a flood of unique lines
 * costs no memory and shows up as one template's count rising.
 */
export interface TemplateLimit {
  maxTemplatesPerStream?: number;
  /** One line mapped to the overflow template (logsieve_templates_overflow_total). */
  onOverflow?: (stream: string) => void;
}

/** What lines past a stream's template limit are assigned. */
export const OVERFLOW_TEMPLATE = '<template limit reached>';
export const OVERFLOW_TEMPLATE_ID = templateId(OVERFLOW_TEMPLATE);

interface StreamMiners {
  miner: TemplateMiner;
  /** Frozen mode only: templates of lines the trained miner does not know. */
  novel?: TemplateMiner;
}

/**
 * Assigns templates to decoded records, one miner per stream. In `learn` mode the miners grow
 * (training, baseline collection); in `frozen` mode records are matched against the trained
 * templates and unknown ones are grouped by a separate miner, so the trained template ids never
 * change under a running model while new templates still get ids and texts of their own.
 */
export class TemplateStage {
  private readonly streams = new Map<string, StreamMiners>();
  private readonly text = new Map<string, string>();

  constructor(
    readonly mode: 'learn' | 'frozen',
    private readonly store: TemplateStore = {},
    /** Templates whose parameters are used; by default all (parameter extraction is not free). */
    private readonly wantParams: (templateId: string) => boolean = () => true,
    private readonly limit: TemplateLimit = {},
  ) {}

  mine(r: LogRecord): LogRecord {
    let s = this.streams.get(r.stream);
    if (!s) {
      const snap = this.store[r.stream];
      // The limit, not the miner's own LRU eviction, bounds a live stream.
      const max = this.limit.maxTemplatesPerStream;
      const fresh = () => new TemplateMiner(max === undefined ? {} : { maxTemplates: max });
      s = { miner: snap ? TemplateMiner.restore(snap) : fresh() };
      if (this.mode === 'frozen') s.novel = fresh();
      this.streams.set(r.stream, s);
    }
    let miner = s.miner;
    let cluster = this.mode === 'learn' ? this.learn(s, miner, r.body) : miner.match(r.body);
    if (!cluster && this.mode === 'frozen') {
      miner = s.novel!;
      cluster = this.learn(s, miner, r.body);
    }
    if (!cluster) {
      this.limit.onOverflow?.(r.stream);
      r.templateId = OVERFLOW_TEMPLATE_ID;
      r.template = OVERFLOW_TEMPLATE;
      r.params = undefined;
      if (this.mode === 'frozen') this.text.set(OVERFLOW_TEMPLATE_ID, OVERFLOW_TEMPLATE);
      return r;
    }
    r.templateId = cluster.id;
    r.template = cluster.template;
    r.params = this.wantParams(cluster.id) ? miner.params(r.body, cluster) : undefined;
    if (this.mode === 'frozen' && !this.text.has(cluster.id)) this.text.set(cluster.id, cluster.template);
    return r;
  }

  /** Adds the line to `miner`; at the stream's template limit it may only join an existing template. */
  private learn(s: StreamMiners, miner: TemplateMiner, body: string): Cluster | null {
    const max = this.limit.maxTemplatesPerStream ?? Infinity;
    const held = s.miner.templateCount + (s.novel?.templateCount ?? 0);
    return held < max ? miner.add(body) : miner.addKnown(body);
  }

  /** Text of a template id seen in frozen mode (known or novel). */
  templateText(id: string): string | undefined {
    return this.text.get(id);
  }

  /** What the stream learned while serving: its miner in learn mode, its novel templates when frozen. */
  exportStream(stream: string): MinerSnapshot | undefined {
    const s = this.streams.get(stream);
    return (this.mode === 'learn' ? s?.miner : s?.novel)?.snapshot();
  }

  /** Restores what exportStream returned, in a stage of the same mode and model. */
  importStream(stream: string, snap: MinerSnapshot): void {
    if (this.mode === 'learn') {
      this.streams.set(stream, { miner: TemplateMiner.restore(snap) });
      return;
    }
    const trained = this.store[stream];
    const novel = TemplateMiner.restore(snap);
    this.streams.set(stream, {
      miner: trained ? TemplateMiner.restore(trained) : new TemplateMiner(),
      novel,
    });
    for (const t of novel.templates()) this.text.set(t.id, t.template);
  }

  dropStream(stream: string): void {
    this.streams.delete(stream);
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
    for (const s of this.streams.values()) n += s.miner.templateCount;
    return n;
  }
}
