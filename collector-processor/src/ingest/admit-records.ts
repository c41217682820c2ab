import type { LogRecord } from '../record';
import { splitByLineLimit } from './line-limit';
import type { IngestHooks, IngestSource, RecordSink, SourcePosition } from './record-sink';

export interface AdmitOptions {
  sink: RecordSink;
  maxLineBytes: number;
  hooks?: IngestHooks;
  /** Passed to the sink (limits.maxStreams is counted per tenant). */
  tenant?: string;
}

export interface Admitted {
  accepted: number;
  rejected: number;
  /** Why records were rejected, for OTLP partial_success.error_message; '' when none were. */
  message: string;
}

/**
 * The step every push source shares once a payload is decoded: drop over-long records (counted),
 * hand the rest to the sink, and total what was refused. OverloadedError from the sink passes
 * through for the caller to answer.
 */
export async function admitRecords(
  records: LogRecord[],
  source: IngestSource,
  { sink, maxLineBytes, hooks, tenant }: AdmitOptions,
  position?: SourcePosition,
): Promise<Admitted> {
  const { kept, tooLong } = splitByLineLimit(records, maxLineBytes);
  if (tooLong.length > 0) hooks?.onDropped?.(tooLong, 'too_long');
  const result =
    kept.length > 0 || position ? await sink(kept, source, tenant, position) : { accepted: 0, rejected: 0 };
  const reasons: string[] = [];
  if (tooLong.length > 0) reasons.push(`${tooLong.length} over limits.maxLineBytes (${maxLineBytes} bytes)`);
  if (result.rejected > 0) reasons.push(`${result.rejected} refused by the pipeline`);
  return {
    accepted: result.accepted,
    rejected: tooLong.length + result.rejected,
    message: reasons.length > 0 ? `rejected records: ${reasons.join(', ')}` : '',
  };
}
