import { dataRecord, ownValue } from '../data-keys';
import type { Unit } from './unit';
import { isCounter, isFieldSlot, isRouteSlot, slotTemplate } from './slot';

/** Fixed columns after the template counts. */
const FIXED = [
  'unseen_lines',
  'unseen_templates',
  'volume',
  'severity_warn',
  'severity_error',
  'severity_fatal',
  'error_ratio',
] as const;

export interface FeatureSpaceOptions {
  /** Most frequent training templates that get a column of their own. */
  maxTemplates?: number;
  /** Numeric parameter slots (template parameter that is a number) that get a column. */
  maxNumericSlots?: number;
  /** Lower bound of a column's scale, in log1p units, so constant columns still register change. */
  scaleFloor?: number;
}

/** Scaling statistics of one stream: sparse, columns absent here are 0 with the floor scale. */
interface StreamStats {
  cols: number[];
  mean: number[];
  scale: number[];
  rawMean: number[];
}

export interface FeatureSpaceJSON {
  templates: string[];
  templateText: Record<string, string>;
  numericSlots: string[];
  columns: string[];
  /** Over all training units: used for streams that had no training units. */
  mean: number[];
  scale: number[];
  rawMean: number[];
  /** Per stream, so each unit is compared with its own stream's normal. */
  streams: Record<string, StreamStats>;
  scaleFloor: number;
}

interface Dense {
  mean: Float64Array;
  scale: Float64Array;
  rawMean: Float64Array;
}

/**
 * The feature vocabulary and its scaling, fitted on training units and saved with the bundle:
 * template counts, never-seen templates, volume, severity mix, error ratio and numeric parameter
 * means, each log-compressed and standardised on the training data.
 */
export class FeatureSpace {
  private readonly index: Map<string, number>;
  private readonly slotIndex: Map<string, number>;
  private readonly dense = new Map<string, Dense>();
  private global: Dense | null = null;
  private numericTemplates: Set<string> | null = null;

  private constructor(private readonly s: FeatureSpaceJSON) {
    this.index = new Map(s.templates.map((t, i) => [t, i]));
    this.slotIndex = new Map(s.numericSlots.map((t, i) => [t, s.templates.length + FIXED.length + i]));
  }

  /** Scaling of a stream (the global one for a stream without training units). */
  private stats(stream: string): Dense {
    let d = this.dense.get(stream);
    if (d) return d;
    // Stream names and template ids are data; the JSON of a bundle is read by own keys only.
    const st = ownValue(this.s.streams, stream);
    if (!st) {
      this.global ??= {
        mean: Float64Array.from(this.s.mean),
        scale: Float64Array.from(this.s.scale),
        rawMean: Float64Array.from(this.s.rawMean),
      };
      return this.global;
    }
    const n = this.dims;
    d = {
      mean: new Float64Array(n),
      scale: new Float64Array(n).fill(this.s.scaleFloor),
      rawMean: new Float64Array(n),
    };
    st.cols.forEach((c, k) => {
      d!.mean[c] = st.mean[k]!;
      d!.scale[c] = st.scale[k]!;
      d!.rawMean[c] = st.rawMean[k]!;
    });
    this.dense.set(stream, d);
    return d;
  }

  static fit(units: Unit[], templateText: Map<string, string>, opts: FeatureSpaceOptions = {}): FeatureSpace {
    if (units.length === 0) throw new Error('no training units: the input produced no windows or sessions');
    const maxTemplates = opts.maxTemplates ?? 2000;
    const total = new Map<string, number>();
    const slots = new Map<string, number>();
    const trend = new Map<string, { times: number[]; means: number[] }>();
    for (const u of units) {
      for (const [id, c] of u.counts) total.set(id, (total.get(id) ?? 0) + c);
      for (const [slot, v] of u.numeric) {
        slots.set(slot, (slots.get(slot) ?? 0) + v.n);
        let tr = trend.get(slot);
        if (!tr) trend.set(slot, (tr = { times: [], means: [] }));
        tr.times.push(u.startMs);
        tr.means.push(v.sum / v.n);
      }
    }
    const templates = [...total.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, maxTemplates)
      .map(([id]) => id);
    const kept = new Set(templates);
    // A slot is numeric when nearly every line of its template has a number there.
    const numericSlots = [...slots.entries()]
      .filter(([slot, n]) => {
        // Named fields are the rules' (per route, against their own spread): as model columns, a
        // rare error line's duration alone made every window holding one an outlier.
        const id = slotTemplate(slot);
        if (isFieldSlot(slot) || isRouteSlot(slot) || !kept.has(id) || n < 0.95 * total.get(id)!)
          return false;
        const tr = trend.get(slot)!;
        return !isCounter(tr.times, tr.means);
      })
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, opts.maxNumericSlots ?? 32)
      .map(([slot]) => slot);
    const columns = [
      ...templates.map((t) => `template:${t}`),
      ...FIXED,
      ...numericSlots.map((s) => `param:${s}`),
    ];
    const text = dataRecord<string>();
    for (const t of templates) text[t] = templateText.get(t) ?? '';
    const space = new FeatureSpace({
      templates,
      templateText: text,
      numericSlots,
      columns,
      mean: [],
      scale: [],
      rawMean: [],
      streams: dataRecord(),
      scaleFloor: opts.scaleFloor ?? 0.5,
    });
    space.fitScaling(units);
    return space;
  }

  static fromJSON(json: FeatureSpaceJSON): FeatureSpace {
    return new FeatureSpace(json);
  }

  toJSON(): FeatureSpaceJSON {
    return this.s;
  }

  get dims(): number {
    return this.s.columns.length;
  }

  get columns(): readonly string[] {
    return this.s.columns;
  }

  get templates(): readonly string[] {
    return this.s.templates;
  }

  templateText(id: string): string | undefined {
    return ownValue(this.s.templateText, id);
  }

  isKnown(templateId: string): boolean {
    return this.index.has(templateId);
  }

  /** Whether any parameter of the template is a feature column. */
  usesParams(templateId: string): boolean {
    this.numericTemplates ??= new Set(this.s.numericSlots.map((slot) => slotTemplate(slot)));
    return this.numericTemplates.has(templateId);
  }

  /** LSTM vocabulary size: 0 = session start, 1 = unseen template, 2.. = known templates. */
  get eventVocabulary(): number {
    return this.s.templates.length + 2;
  }

  eventIndex(templateId: string): number {
    const i = this.index.get(templateId);
    return i === undefined ? 1 : i + 2;
  }

  /** Column index of a template, or -1 when the template has no column. */
  templateColumn(templateId: string): number {
    return this.index.get(templateId) ?? -1;
  }

  /** Mean of a column's raw (untransformed) value over the stream's training units. */
  expected(col: number, stream: string): number {
    return this.stats(stream).rawMean[col] ?? 0;
  }

  /** Whether the stream had training units of its own. */
  knowsStream(stream: string): boolean {
    return Object.hasOwn(this.s.streams, stream);
  }

  /** Raw per-unit values before compression and scaling (counts, ratio, numeric means). */
  raw(u: Unit, out = new Float64Array(this.dims)): Float64Array {
    out.fill(0);
    const T = this.s.templates.length;
    let unseen = 0;
    let unseenDistinct = 0;
    for (const [id, c] of u.counts) {
      const i = this.index.get(id);
      if (i === undefined) {
        unseen += c;
        unseenDistinct++;
      } else out[i] = c;
    }
    out[T] = unseen;
    out[T + 1] = unseenDistinct;
    out[T + 2] = u.lines;
    out[T + 3] = u.severity[4]!;
    out[T + 4] = u.severity[5]!;
    out[T + 5] = u.severity[6]!;
    out[T + 6] = u.lines ? (u.severity[5]! + u.severity[6]!) / u.lines : 0;
    for (const [slot, v] of u.numeric) {
      const i = this.slotIndex.get(slot);
      if (i !== undefined) out[i] = v.sum / v.n;
    }
    return out;
  }

  /** The model input: log1p of counts, then standardised with the training mean and scale. */
  transform(
    u: Unit,
    out: Float32Array<ArrayBufferLike> = new Float32Array(this.dims),
  ): Float32Array<ArrayBufferLike> {
    const raw = this.raw(u);
    const { mean, scale } = this.stats(u.stream);
    for (let i = 0; i < raw.length; i++) out[i] = (this.compress(i, raw[i]!) - mean[i]!) / scale[i]!;
    return out;
  }

  private compress(col: number, v: number): number {
    const T = this.s.templates.length;
    // error_ratio is already in [0, 1] and numeric means are already log-compressed.
    return col === T + 6 || col >= T + FIXED.length ? v : Math.log1p(v);
  }

  private fitScaling(units: Unit[]): void {
    const byStream = new Map<string, Unit[]>();
    for (const u of units) {
      const list = byStream.get(u.stream);
      if (list) list.push(u);
      else byStream.set(u.stream, [u]);
    }
    const all = this.moments(units);
    this.s.mean = Array.from(all.mean);
    this.s.scale = Array.from(all.scale);
    this.s.rawMean = Array.from(all.rawMean);
    const T = this.s.templates.length;
    for (const [stream, list] of byStream) {
      const m = this.moments(list);
      const st: StreamStats = { cols: [], mean: [], scale: [], rawMean: [] };
      for (let i = 0; i < this.dims; i++) {
        // Template columns the stream never used stay implicit (0, floor): keeps bundles small.
        if (i < T && m.rawMean[i] === 0) continue;
        st.cols.push(i);
        st.mean.push(m.mean[i]!);
        st.scale.push(m.scale[i]!);
        st.rawMean.push(m.rawMean[i]!);
      }
      this.s.streams[stream] = st;
    }
  }

  private moments(units: Unit[]): Dense {
    const d = this.dims;
    const sum = new Float64Array(d);
    const sq = new Float64Array(d);
    const rawSum = new Float64Array(d);
    const raw = new Float64Array(d);
    for (const u of units) {
      this.raw(u, raw);
      for (let i = 0; i < d; i++) {
        const v = this.compress(i, raw[i]!);
        sum[i] += v;
        sq[i] += v * v;
        rawSum[i] += raw[i]!;
      }
    }
    const n = units.length;
    const mean = sum.map((v) => v / n);
    const scale = sq.map((v, i) =>
      Math.max(this.s.scaleFloor, Math.sqrt(Math.max(0, v / n - mean[i]! ** 2))),
    );
    return { mean, scale, rawMean: rawSum.map((v) => v / n) };
  }
}
