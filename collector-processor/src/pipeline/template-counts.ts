import type { LogRecord } from '../record';
import type { TemplateUpdate } from '../store/storage';
import { OVERFLOW_TEMPLATE, OVERFLOW_TEMPLATE_ID } from './template-stage';

/**
 * Template statistics gathered between flushes to storage: one entry per stream and template, so
 * memory follows the templates, not the records. A flush that fails puts its batch back, so the
 * counts of a storage outage are written when storage returns instead of being lost.
 *
 * Bounded by limits.maxTemplatesTotal: a template's id changes as it widens, and an outage keeps
 * every id seen, so past the bound a new stream and template is counted under the stream's
 * overflow template (at most one more entry per stream) instead of an entry of its own.
 */
export class TemplateCounts {
  private pending = new Map<string, TemplateUpdate>();

  constructor(private readonly maxEntries = Infinity) {}

  get size(): number {
    return this.pending.size;
  }

  /** Counts one mined record (it carries its template); no allocation unless the template is new. */
  add(r: LogRecord): void {
    const seenAt = r.timeMs ?? Date.now();
    const t = this.entry(r.stream, r.templateId!);
    if (t) {
      t.countDelta++;
      t.seenAt = seenAt;
      return;
    }
    this.create({
      stream: r.stream,
      id: r.templateId!,
      template: r.template!,
      countDelta: 1,
      seenAt,
      example: (r.raw ?? r.body).slice(0, 2000),
    });
  }

  /** Everything gathered so far; the counts start again from zero. */
  take(): TemplateUpdate[] {
    const batch = [...this.pending.values()];
    this.pending = new Map();
    return batch;
  }

  /** A taken batch that was not stored: merged with what was counted since. */
  putBack(batch: TemplateUpdate[]): void {
    for (const u of batch) {
      const t = this.entry(u.stream, u.id);
      if (!t) this.create(u);
      else {
        t.countDelta += u.countDelta;
        if (seenMs(u.seenAt) > seenMs(t.seenAt)) t.seenAt = u.seenAt;
      }
    }
  }

  private entry(stream: string, id: string): TemplateUpdate | undefined {
    return this.pending.get(`${stream}\u0000${id}`);
  }

  /** Adds `u` as a new entry, or past the bound into its stream's overflow entry. */
  private create(u: TemplateUpdate): void {
    if (this.pending.size < this.maxEntries) {
      this.pending.set(`${u.stream}\u0000${u.id}`, u);
      return;
    }
    const o = this.entry(u.stream, OVERFLOW_TEMPLATE_ID);
    if (!o) {
      this.pending.set(`${u.stream}\u0000${OVERFLOW_TEMPLATE_ID}`, {
        ...u,
        id: OVERFLOW_TEMPLATE_ID,
        template: OVERFLOW_TEMPLATE,
      });
      return;
    }
    o.countDelta += u.countDelta;
    if (seenMs(u.seenAt) > seenMs(o.seenAt)) o.seenAt = u.seenAt;
  }
}

const seenMs = (v: string | number) => (typeof v === 'number' ? v : Date.parse(v));
