import { LineCacheBudget, TemplateMiner, type MinerSnapshot } from '../mine/template-miner';
import type { Cluster } from '../mine/cluster';
import { templateId } from '../mine/template-id';
import type { LogRecord } from '../record';

/** Per-stream miner snapshots: the template store saved in a model bundle. */
export type TemplateStore = Record<string, MinerSnapshot>;

/** Which limit sent a line to the overflow template (the `reason` label of the overflow counter). */
export type OverflowReason = 'stream_limit' | 'total_limit';

/**
 * limits.maxTemplatesPerStream: a stream holding that many templates (trained and novel) learns
 * no new ones; limits.maxTemplatesTotal: the same across all streams, so many streams at their own
 * limit cannot exhaust the heap together. Lines that match no template held get the overflow
 * template, so a flood of unique lines costs no memory and shows up as one template's count rising.
 */
export interface TemplateLimit {
  maxTemplatesPerStream?: number;
  maxTemplatesTotal?: number;
  /** One line mapped to the overflow template (logsieve_templates_overflow_total). */
  onOverflow?: (stream: string, reason: OverflowReason) => void;
  /** A stream's miners hold `held` templates after one was created; `novel`: after the model was
   * trained (frozen mode: logsieve_templates_new_total, the LogTemplateBurst alert). */
  onCreated?: (stream: string, held: number, novel: boolean) => void;
}

/** What lines past a template limit are assigned. */
export const OVERFLOW_TEMPLATE = '<template limit reached>';
export const OVERFLOW_TEMPLATE_ID = templateId(OVERFLOW_TEMPLATE);

interface StreamMiners {
  miner: TemplateMiner;
  /** Frozen mode only: templates of lines the trained miner does not know. */
  novel?: TemplateMiner;
}

const held = (s: StreamMiners) => s.miner.templateCount + (s.novel?.templateCount ?? 0);

/** Characters of cached lines all streams' miners hold together (about 64 MB at most). */
const LINE_CACHE_CHARS = 32 << 20;

/**
 * Assigns templates to decoded records, one miner per stream. In `learn` mode the miners grow
 * (training, baseline collection); in `frozen` mode records are matched against the trained
 * templates and unknown ones are grouped by a separate miner, so the trained template ids never
 * change under a running model while new templates still get ids and texts of their own.
 */
export class TemplateStage {
  private readonly streams = new Map<string, StreamMiners>();
  /**
   * The trained store as a Map: stream names are data, and a bundle's JSON object would answer
   * `constructor` or `__proto__` with Object.prototype's members.
   */
  private readonly trained: Map<string, MinerSnapshot>;
  private readonly text = new Map<string, string>();
  /** Templates held by every stream's miners together (limits.maxTemplatesTotal). */
  private total = 0;
  private readonly lineCache = new LineCacheBudget(LINE_CACHE_CHARS);

  constructor(
    readonly mode: 'learn' | 'frozen',
    store: TemplateStore = {},
    /** Templates whose parameters are used; by default all (parameter extraction is not free). */
    private readonly wantParams: (templateId: string) => boolean = () => true,
    private readonly limit: TemplateLimit = {},
  ) {
    this.trained = new Map(Object.entries(store));
  }

  mine(r: LogRecord): LogRecord {
    let s = this.streams.get(r.stream);
    if (!s) {
      const snap = this.trained.get(r.stream);
      s = { miner: snap ? TemplateMiner.restore(snap, this.lineCache) : this.fresh() };
      if (this.mode === 'frozen') s.novel = this.fresh();
      this.put(r.stream, s);
    }
    let miner = s.miner;
    let cluster = this.mode === 'learn' ? this.learn(r.stream, s, miner, r.body) : miner.match(r.body);
    if (!cluster && this.mode === 'frozen') {
      miner = s.novel!;
      cluster = this.learn(r.stream, s, miner, r.body);
    }
    if (!cluster) {
      r.templateId = OVERFLOW_TEMPLATE_ID;
      r.template = OVERFLOW_TEMPLATE;
      r.params = undefined;
      if (this.mode === 'frozen') this.remember(OVERFLOW_TEMPLATE_ID, OVERFLOW_TEMPLATE);
      return r;
    }
    r.templateId = cluster.id;
    r.template = cluster.template;
    r.params = this.wantParams(cluster.id) ? miner.params(r.body, cluster) : undefined;
    if (this.mode === 'frozen') this.remember(cluster.id, cluster.template);
    return r;
  }

  /** The limit, not the miner's own LRU eviction, bounds a live stream. */
  private fresh(): TemplateMiner {
    const max = this.limit.maxTemplatesPerStream;
    return new TemplateMiner(max === undefined ? {} : { maxTemplates: max }, this.lineCache);
  }

  /**
   * Adds the line to `miner`; at the stream's or the total template limit it may only join an
   * existing template (null, counted, when it matches none).
   */
  private learn(stream: string, s: StreamMiners, miner: TemplateMiner, body: string): Cluster | null {
    const before = miner.templateCount;
    let refused: OverflowReason | null = null;
    if (held(s) >= (this.limit.maxTemplatesPerStream ?? Infinity)) refused = 'stream_limit';
    else if (this.total >= (this.limit.maxTemplatesTotal ?? Infinity)) refused = 'total_limit';
    const cluster = refused ? miner.addKnown(body) : miner.add(body);
    // Merges and evictions shrink a miner too: the total follows its count, not the additions.
    this.total += miner.templateCount - before;
    if (!cluster && refused) this.limit.onOverflow?.(stream, refused);
    if (miner.templateCount > before) this.limit.onCreated?.(stream, held(s), this.mode === 'frozen');
    return cluster;
  }

  /**
   * Text of the ids seen in frozen mode, for explanations. A template's id changes as it widens,
   * so old ids would pile up: past the total limit the oldest go (a live one is added back with
   * its next line).
   */
  private remember(id: string, template: string): void {
    if (this.text.has(id)) return;
    if (this.text.size >= (this.limit.maxTemplatesTotal ?? Infinity))
      this.text.delete(this.text.keys().next().value!);
    this.text.set(id, template);
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
      this.put(stream, { miner: TemplateMiner.restore(snap, this.lineCache) });
      return;
    }
    const trained = this.trained.get(stream);
    const novel = TemplateMiner.restore(snap, this.lineCache);
    const miner = trained
      ? TemplateMiner.restore(trained, this.lineCache)
      : new TemplateMiner({}, this.lineCache);
    this.put(stream, { miner, novel });
    for (const t of novel.templates()) this.remember(t.id, t.template);
  }

  dropStream(stream: string): void {
    const s = this.streams.get(stream);
    if (!s) return;
    this.total -= held(s);
    s.miner.release();
    s.novel?.release();
    this.streams.delete(stream);
  }

  private put(stream: string, s: StreamMiners): void {
    this.dropStream(stream);
    this.streams.set(stream, s);
    this.total += held(s);
  }

  snapshot(): TemplateStore {
    const out = new Map(this.trained);
    for (const [name, s] of this.streams) out.set(name, s.miner.snapshot());
    // fromEntries defines own keys, `__proto__` included (an assignment would set the prototype).
    return Object.fromEntries(out);
  }

  streamNames(): string[] {
    return [...this.streams.keys()];
  }

  /** Templates held by all streams, trained and novel (what limits.maxTemplatesTotal bounds). */
  templateCount(): number {
    return this.total;
  }
}
