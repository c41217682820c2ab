import type { LogRecord } from '../record';
import type { TemplateUpdate } from '../store/storage';

/**
 * Template statistics gathered between flushes to storage: one entry per stream and template, so
 * memory follows the templates, not the records. A flush that fails puts its batch back, so the
 * counts of a storage outage are written when storage returns instead of being lost.
 */
export class TemplateCounts {
  private pending = new Map<string, TemplateUpdate>();

  get size(): number {
    return this.pending.size;
  }

  /** Counts one mined record (it carries its template); no allocation unless the template is new. */
  add(r: LogRecord): void {
    const key = `${r.stream}\u0000${r.templateId}`;
    const seenAt = r.timeMs ?? Date.now();
    const t = this.pending.get(key);
    if (t) {
      t.countDelta++;
      t.seenAt = seenAt;
    } else {
      this.pending.set(key, {
        stream: r.stream,
        id: r.templateId!,
        template: r.template!,
        countDelta: 1,
        seenAt,
        example: (r.raw ?? r.body).slice(0, 2000),
      });
    }
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
      const key = `${u.stream}\u0000${u.id}`;
      const t = this.pending.get(key);
      if (!t) this.pending.set(key, u);
      else {
        t.countDelta += u.countDelta;
        if (seenMs(u.seenAt) > seenMs(t.seenAt)) t.seenAt = u.seenAt;
      }
    }
  }
}

const seenMs = (v: string | number) => (typeof v === 'number' ? v : Date.parse(v));
