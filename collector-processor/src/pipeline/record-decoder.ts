import { createStreamDecoder, type StreamDecoder } from '../decode/stream-decoder';
import type { LogRecord } from '../record';

/**
 * Decodes live records: raw lines (REST, file tail, Kafka raw) go through their stream's decoder
 * to get time, severity and the message; structured records (OTLP) keep their own fields unless
 * they carry neither time nor severity (a Collector filelog receiver forwarding raw lines).
 */
export class RecordDecoder {
  private readonly decoders = new Map<string, StreamDecoder>();
  private readonly maxStreams: number;

  constructor(maxStreams = 10_000) {
    this.maxStreams = maxStreams;
  }

  /**
   * Never drops: a record its stream's decoder cannot read (an empty body, binary, an array body
   * in a JSON stream, JSON too deep to print) is processed as it came, its body the message. The
   * source acknowledged it, and an odd line is itself worth a template.
   */
  decode(r: LogRecord): LogRecord {
    const raw = r.raw !== undefined && r.raw === r.body;
    if (!raw && (r.timeMs !== null || r.severityNumber > 0)) return r;
    let d = this.decoders.get(r.stream);
    if (!d) {
      if (this.decoders.size >= this.maxStreams) this.decoders.delete(this.decoders.keys().next().value!);
      d = createStreamDecoder(r.stream);
      this.decoders.set(r.stream, d);
    }
    let out: LogRecord | null;
    try {
      out = d.decode(r.body, r.line);
    } catch {
      // A line no decoder foresaw (the malformed-input corpus found one: JSON too deep to print).
      return r;
    }
    if (!out) return r;
    // Keep what the transport knew that the line itself does not say.
    out.attributes = r.attributes ?? out.attributes;
    out.resource = r.resource ?? out.resource;
    out.traceId = r.traceId ?? out.traceId;
    out.spanId = r.spanId ?? out.spanId;
    if (out.timeMs === null) out.timeMs = r.timeMs;
    return out;
  }
}
