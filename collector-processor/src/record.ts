/**
 * The one record type that flows through every stage: ingest fills the source fields, decode
 * fills time/severity/body/component, the miner fills the template fields.
 */
export interface LogRecord {
  /** `service.name`, else the file name, else the name given by the client. */
  stream: string;
  /** 1-based position within its source (line of a file, index within a request or partition). */
  line: number;
  /** Event time, ms since the Unix epoch; null when the line carries none. */
  timeMs: number | null;
  /** OpenTelemetry severity number (1-24; 0 = unspecified). */
  severityNumber: number;
  /** Severity as written by the source (`INFO`, `err`, `W`), empty when absent. */
  severityText: string;
  /** The message the template is mined from: the line without its header. */
  body: string;
  /** Logger/component/program name from the header, when there is one. */
  component?: string;
  /** The original line, kept for sample lines in anomaly events. */
  raw?: string;
  attributes?: Record<string, unknown>;
  resource?: Record<string, unknown>;
  traceId?: string;
  spanId?: string;
  templateId?: string;
  template?: string;
  params?: string[];
}

/** OpenTelemetry severity ranges: the first number of each band. */
export const Severity = {
  UNSPECIFIED: 0,
  TRACE: 1,
  DEBUG: 5,
  INFO: 9,
  WARN: 13,
  ERROR: 17,
  FATAL: 21,
} as const;

export type SeverityName = Exclude<keyof typeof Severity, 'UNSPECIFIED'> | 'UNSPECIFIED';

export function severityName(n: number): SeverityName {
  if (n <= 0) return 'UNSPECIFIED';
  if (n < 5) return 'TRACE';
  if (n < 9) return 'DEBUG';
  if (n < 13) return 'INFO';
  if (n < 17) return 'WARN';
  if (n < 21) return 'ERROR';
  return 'FATAL';
}
