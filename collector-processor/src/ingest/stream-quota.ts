import type { LogRecord } from '../record';
import type { RecordSink } from './record-sink';

/**
 * limits.maxStreams per tenant: the first maxStreams distinct streams a tenant pushes are its own
 * for the life of the process; records of further streams are refused. Bounds the per-stream
 * state (decoders, templates, windows) one caller can make the service hold.
 */
export class StreamQuota {
  private readonly tenants = new Map<string, Set<string>>();

  constructor(readonly maxStreams: number) {}

  split(tenant: string, records: LogRecord[]): { kept: LogRecord[]; refused: LogRecord[] } {
    let streams = this.tenants.get(tenant);
    if (!streams) this.tenants.set(tenant, (streams = new Set()));
    const kept: LogRecord[] = [];
    const refused: LogRecord[] = [];
    for (const r of records) {
      if (!streams.has(r.stream) && streams.size < this.maxStreams) streams.add(r.stream);
      (streams.has(r.stream) ? kept : refused).push(r);
    }
    return { kept, refused };
  }

  /** Streams the tenant holds now. */
  streamsOf(tenant: string): number {
    return this.tenants.get(tenant)?.size ?? 0;
  }
}

/**
 * A sink that applies the quota to records that carry a tenant (pushed through an API) and counts
 * the refused ones; they are answered as rejected (OTLP partial success, REST `rejected`).
 */
export function limitStreams(
  sink: RecordSink,
  quota: StreamQuota,
  onRefused: (records: LogRecord[]) => void,
): RecordSink {
  return async (...args) => {
    const [records, ...rest] = args;
    const tenant = rest[1];
    if (tenant === undefined) return sink(...args);
    const { kept, refused } = quota.split(tenant, records);
    if (refused.length > 0) onRefused(refused);
    const res = kept.length > 0 ? await sink(kept, ...rest) : { accepted: 0, rejected: 0 };
    return { accepted: res.accepted, rejected: res.rejected + refused.length };
  };
}
