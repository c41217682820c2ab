import type { AnomalyEvent } from '../anomaly-event';
import { exportLogsRequestJson } from '../ingest/otlp/otlp-logs-encoder';
import type { LogRecord } from '../record';
import { HttpError, retry, type BackoffOptions } from './backoff';
import type { EventSink } from './event-sink';

/** A record of an anomalous unit, with what the detector concluded about it. */
export interface AnomalousRecord {
  record: LogRecord;
  anomalyId: string;
  /** The unit's score, 0-100. */
  score: number;
}

export interface OtlpLogSinkOptions {
  /** Full OTLP/HTTP logs URL, e.g. http://collector:4318/v1/logs (outputs.otlp.endpoint). */
  endpoint: string;
  headers?: Record<string, string>;
  /** Tries per export before it rejects (default 4). */
  attempts?: number;
  backoff?: BackoffOptions;
  timeoutMs?: number;
}

export const SCORE_ATTRIBUTE = 'logsieve.anomaly.score';

/** The record with the anomaly's attributes added (OpenTelemetry semantic names where they exist). */
export function enrich({ record, anomalyId, score }: AnomalousRecord): LogRecord {
  const attributes: Record<string, unknown> = {
    ...record.attributes,
    [SCORE_ATTRIBUTE]: score,
    'logsieve.anomaly.id': anomalyId,
  };
  if (record.template !== undefined) attributes['log.record.template'] = record.template;
  if (record.templateId !== undefined) attributes['log.record.template_id'] = record.templateId;
  if (record.raw !== undefined && record.raw !== record.body) attributes['log.record.original'] = record.raw;
  return { ...record, attributes };
}

/** An event's sample lines as records, with the template the explanation names for a line when it names one. */
export function recordsOfEvent(e: AnomalyEvent): AnomalousRecord[] {
  const startMs = Date.parse(e.start);
  return e.sampleLines.map((line, i) => {
    const known = e.explanation.unexpectedEvents.find((u) => u.line !== undefined && line.includes(u.line));
    const record: LogRecord = {
      stream: e.stream,
      line: i + 1,
      timeMs: startMs,
      severityNumber: 0,
      severityText: '',
      body: line,
      ...(known ? { templateId: known.templateId, template: known.template } : {}),
      ...(e.traceIds[0] ? { traceId: e.traceIds[0] } : {}),
    };
    return { record, anomalyId: e.id, score: e.score };
  });
}

/** Exports anomalous records to an OTLP/HTTP logs endpoint as OTLP/JSON, retrying with backoff. */
export class OtlpLogSink implements EventSink {
  readonly name = 'otlp' as const;

  constructor(private readonly opts: OtlpLogSinkOptions) {}

  /** The pipeline's path: the unit's own records, with their templates. */
  async exportRecords(items: AnomalousRecord[]): Promise<void> {
    if (items.length === 0) return;
    const body = JSON.stringify(scoresAsDoubles(exportLogsRequestJson(items.map(enrich))));
    await retry(() => this.post(body), this.opts.attempts ?? 4, this.opts.backoff);
  }

  /** Events alone carry only sample lines: those are exported. */
  emit(events: AnomalyEvent[]): Promise<void> {
    return this.exportRecords(events.flatMap(recordsOfEvent));
  }

  private async post(body: string): Promise<void> {
    const res = await fetch(this.opts.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...this.opts.headers },
      body,
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
    });
    if (!res.ok) throw new HttpError(res.status, await res.text(), 'OTLP endpoint');
    await res.arrayBuffer();
  }
}

type Obj = Record<string, unknown>;

/** A score of 93 would otherwise go out as intValue and 93.5 as doubleValue: one attribute, one type. */
function scoresAsDoubles(request: Obj): Obj {
  for (const rl of request.resourceLogs as Obj[]) {
    for (const sl of rl.scopeLogs as Obj[]) {
      for (const lr of sl.logRecords as Obj[]) {
        for (const kv of (lr.attributes ?? []) as { key: string; value: Obj }[]) {
          if (kv.key === SCORE_ATTRIBUTE)
            kv.value = { doubleValue: Number(kv.value.intValue ?? kv.value.doubleValue) };
        }
      }
    }
  }
  return request;
}
