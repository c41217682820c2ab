import type { LogRecord } from '../record';
import { safeText } from '../safe-text';
import { safeValue } from '../safe-value';
import { boundedStreamName } from '../stream-name';

/**
 * Makes decoded records safe to hold and store, in place: NUL and lone surrogates in every text
 * field become U+FFFD (safe-text.ts), attribute values are bounded in depth (safe-value.ts), stream
 * names in length (stream-name.ts). Done once where records enter, so the stream names,
 * templates and ids the pipeline keeps in memory are the ones it stores.
 */
export function makeRecordsSafe(records: LogRecord[]): void {
  // Records of one OTLP resource share its attributes: made safe once.
  const resources = new Map<Record<string, unknown>, Record<string, unknown>>();
  for (const r of records) {
    r.stream = boundedStreamName(safeText(r.stream));
    r.body = safeText(r.body);
    r.severityText = safeText(r.severityText);
    if (r.raw !== undefined) r.raw = safeText(r.raw);
    if (r.component !== undefined) r.component = safeText(r.component);
    if (r.traceId !== undefined) r.traceId = safeText(r.traceId);
    if (r.spanId !== undefined) r.spanId = safeText(r.spanId);
    if (r.attributes) r.attributes = safeValue(r.attributes) as Record<string, unknown>;
    if (r.resource) {
      let safe = resources.get(r.resource);
      if (!safe) resources.set(r.resource, (safe = safeValue(r.resource) as Record<string, unknown>));
      r.resource = safe;
    }
  }
}
