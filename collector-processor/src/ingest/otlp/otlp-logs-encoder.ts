import type { LogRecord } from '../../record';
import { ExportLogsServiceRequest, ExportLogsServiceResponse } from './otlp-logs-schema';

/*
 * LogRecord[] -> ExportLogsServiceRequest, for the OTLP log export and for tests that need real
 * payloads. Records are grouped into one ResourceLogs per stream (+ resource attributes) and one
 * ScopeLogs per component, the way an SDK groups them.
 */

type Obj = Record<string, unknown>;
type IdEncoding = 'bytes' | 'hex';

/** Protobuf bytes of the request, ready for `Content-Type: application/x-protobuf`. */
export function encodeExportLogsRequest(records: LogRecord[]): Uint8Array {
  const request = ExportLogsServiceRequest.fromObject(buildRequest(records, 'bytes'));
  return ExportLogsServiceRequest.encode(request).finish();
}

/** The OTLP/JSON request object (hex ids, int64 as strings); JSON.stringify it to send. */
export function exportLogsRequestJson(records: LogRecord[]): Obj {
  return buildRequest(records, 'hex');
}

export interface PartialSuccess {
  rejectedLogRecords: number;
  errorMessage: string;
}

/** The response body: empty on full success, partial_success when some records were rejected. */
export function encodeExportLogsResponse(partial: PartialSuccess | null): Uint8Array {
  const message = ExportLogsServiceResponse.fromObject(partial ? { partialSuccess: partial } : {});
  return ExportLogsServiceResponse.encode(message).finish();
}

export function exportLogsResponseJson(partial: PartialSuccess | null): Obj {
  return partial
    ? {
        partialSuccess: {
          rejectedLogRecords: String(partial.rejectedLogRecords),
          errorMessage: partial.errorMessage,
        },
      }
    : {};
}

/** Decodes a protobuf response (clients and tests read partial_success from it). */
export function decodeExportLogsResponse(bytes: Uint8Array): PartialSuccess | null {
  const o = ExportLogsServiceResponse.toObject(ExportLogsServiceResponse.decode(bytes), { longs: Number });
  const p = o.partialSuccess as { rejectedLogRecords?: number; errorMessage?: string } | undefined;
  if (!p) return null;
  return { rejectedLogRecords: p.rejectedLogRecords ?? 0, errorMessage: p.errorMessage ?? '' };
}

function buildRequest(records: LogRecord[], ids: IdEncoding): Obj {
  const resources = new Map<string, { resource: Obj; scopes: Map<string, Obj[]> }>();
  for (const r of records) {
    const resourceAttrs = { ...r.resource, 'service.name': r.stream };
    const key = JSON.stringify(resourceAttrs);
    let entry = resources.get(key);
    if (!entry) {
      entry = { resource: { attributes: keyValues(resourceAttrs) }, scopes: new Map() };
      resources.set(key, entry);
    }
    const scope = r.component ?? '';
    let logs = entry.scopes.get(scope);
    if (!logs) entry.scopes.set(scope, (logs = []));
    logs.push(logRecord(r, ids));
  }
  return {
    resourceLogs: [...resources.values()].map(({ resource, scopes }) => ({
      resource,
      scopeLogs: [...scopes].map(([name, logRecords]) => ({ scope: name ? { name } : {}, logRecords })),
    })),
  };
}

function logRecord(r: LogRecord, ids: IdEncoding): Obj {
  const out: Obj = {
    severityNumber: r.severityNumber,
    severityText: r.severityText,
    body: { stringValue: r.body },
  };
  if (r.timeMs !== null) out.timeUnixNano = msToNanos(r.timeMs);
  if (r.attributes && Object.keys(r.attributes).length > 0) out.attributes = keyValues(r.attributes);
  if (r.traceId) out.traceId = ids === 'hex' ? r.traceId : Buffer.from(r.traceId, 'hex');
  if (r.spanId) out.spanId = ids === 'hex' ? r.spanId : Buffer.from(r.spanId, 'hex');
  return out;
}

/** ms (possibly fractional) -> decimal nanoseconds string, exact to the microsecond. */
function msToNanos(ms: number): string {
  const micros = BigInt(Math.round(ms * 1000));
  return (micros * 1000n).toString();
}

function keyValues(attrs: Record<string, unknown>): Obj[] {
  return Object.entries(attrs).map(([key, value]) => ({ key, value: toAnyValue(value) }));
}

function toAnyValue(v: unknown): Obj {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'bigint') return { intValue: v.toString() };
  // int64 travels as a decimal string in OTLP/JSON; protobufjs accepts the same for binary.
  if (typeof v === 'number') return Number.isSafeInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(toAnyValue) } };
  if (typeof v === 'object' && v !== null)
    return { kvlistValue: { values: keyValues(v as Record<string, unknown>) } };
  return {};
}
