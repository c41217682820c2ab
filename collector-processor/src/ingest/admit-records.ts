import { outOfRange, type EventTimeLimits } from '../decode/event-time';
import type { LogRecord } from '../record';
import { splitByLineLimit } from './line-limit';
import { makeRecordsSafe } from './safe-records';
import type { IngestHooks, IngestSource, RecordSink, SourcePosition } from './record-sink';

export interface AdmitOptions {
  sink: RecordSink;
  maxLineBytes: number;
  hooks?: IngestHooks;
  /** Passed to the sink (limits.maxStreams is counted per tenant). */
  tenant?: string;
  /**
   * limits.maxEventAge/AheadSeconds, where the sink is the live pipeline (which gives records
   * outside them their receive time): such records are reported in the answer.
   */
  eventTime?: EventTimeLimits;
}

export interface Admitted {
  accepted: number;
  rejected: number;
  /**
   * Why records were rejected, and a warning for records taken at their receive time (OTLP
   * partial_success.error_message; with rejected 0 it is a warning); '' when neither.
   */
  message: string;
}

/**
 * The step every source shares once a payload is decoded: make the records safe to hold and store,
 * drop over-long records (counted), hand the rest to the sink, and total what was refused.
 * OverloadedError from the sink passes through for the caller to answer.
 */
export async function admitRecords(
  records: LogRecord[],
  source: IngestSource,
  { sink, maxLineBytes, hooks, tenant, eventTime }: AdmitOptions,
  position?: SourcePosition,
): Promise<Admitted> {
  makeRecordsSafe(records);
  const { kept, tooLong } = splitByLineLimit(records, maxLineBytes);
  if (tooLong.length > 0) hooks?.onDropped?.(tooLong, 'too_long');
  const result =
    kept.length > 0 || position ? await sink(kept, source, tenant, position) : { accepted: 0, rejected: 0 };
  const reasons: string[] = [];
  if (tooLong.length > 0) reasons.push(`${tooLong.length} over limits.maxLineBytes (${maxLineBytes} bytes)`);
  if (result.rejected > 0) reasons.push(`${result.rejected} refused by the pipeline`);
  const messages = reasons.length > 0 ? [`rejected records: ${reasons.join(', ')}`] : [];
  const warning = eventTime && result.accepted > 0 ? timeWarning(kept, eventTime) : null;
  if (warning) messages.push(warning);
  return {
    accepted: result.accepted,
    rejected: tooLong.length + result.rejected,
    message: messages.join('; '),
  };
}

/**
 * OTLP partial_success for the answer: rejections, or only a warning (rejected 0 with a message,
 * as the OTLP specification reads it); null when there is nothing to say.
 */
export function partialSuccess(a: Admitted): { rejectedLogRecords: number; errorMessage: string } | null {
  return a.message ? { rejectedLogRecords: a.rejected, errorMessage: a.message } : null;
}

/** Says how many records carry a (transport) time the pipeline will replace by the receive time. */
function timeWarning(records: LogRecord[], limits: EventTimeLimits): string | null {
  const now = Date.now();
  let n = 0;
  for (const r of records) if (r.timeMs !== null && outOfRange(r.timeMs, now, limits)) n++;
  if (n === 0) return null;
  return (
    `${n} records with a time more than limits.maxEventAgeSeconds (${limits.maxAgeMs / 1000} s) before ` +
    `or limits.maxEventAheadSeconds (${limits.maxAheadMs / 1000} s) after receipt: processed at their receive time`
  );
}
