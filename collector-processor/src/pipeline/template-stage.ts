import type { MinerSnapshot } from '../mine/template-miner';
import { TemplateMiner } from '../mine/template-miner';
import type { LogRecord } from '../record';

/** Per-stream miner snapshots: the template store saved in a model bundle. */
export type TemplateStore = Record<string, MinerSnapshot>;

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
  ) {}

  mine(r: LogRecord): LogRecord {
    let s = this.streams.get(r.stream);
    if (!s) {
      const snap = this.store[r.stream];
      s = { miner: snap ? TemplateMiner.restore(snap) : new TemplateMiner() };
      if (this.mode === 'frozen') s.novel = new TemplateMiner();
      this.streams.set(r.stream, s);
    }
    let miner = s.miner;
    let cluster = this.mode === 'learn' ? miner.add(r.body) : miner.match(r.body);
    if (!cluster) {
      miner = s.novel!;
      cluster = miner.add(r.body);
    }
    r.templateId = cluster.id;
    r.template = cluster.template;
    r.params = this.wantParams(cluster.id) ? miner.params(r.body, cluster) : undefined;
    if (this.mode === 'frozen' && !this.text.has(cluster.id)) this.text.set(cluster.id, cluster.template);
    return r;
  }

  /** Text of a template id seen in frozen mode (known or novel). */
  templateText(id: string): string | undefined {
    return this.text.get(id);
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
