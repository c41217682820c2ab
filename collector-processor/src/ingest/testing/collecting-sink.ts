import type { LogRecord } from '../../record';
import type { IngestSource, RecordSink } from '../record-sink';

/** A RecordSink for tests: keeps every batch it accepts and can be told to fail. */
export function collectingSink(): {
  sink: RecordSink;
  batches: { records: LogRecord[]; source: IngestSource; tenant?: string }[];
  records: () => LogRecord[];
  failWith: (err: Error | null) => void;
} {
  const batches: { records: LogRecord[]; source: IngestSource; tenant?: string }[] = [];
  let failure: Error | null = null;
  const sink: RecordSink = async (records, source, tenant) => {
    if (failure) throw failure;
    batches.push({ records, source, ...(tenant === undefined ? {} : { tenant }) });
    return { accepted: records.length, rejected: 0 };
  };
  return {
    sink,
    batches,
    records: () => batches.flatMap((b) => b.records),
    failWith: (err) => {
      failure = err;
    },
  };
}
