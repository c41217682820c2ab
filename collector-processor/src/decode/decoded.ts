/** What a format decoder extracts from one line; the stream decoder turns it into a LogRecord. */
export interface Decoded {
  timeMs: number | null;
  severityNumber: number;
  severityText: string;
  body: string;
  component?: string;
  attributes?: Record<string, unknown>;
  traceId?: string;
  spanId?: string;
}

export type FormatName =
  'json' | 'docker' | 'cri' | 'rfc5424' | 'rfc3164' | 'clf' | 'auditd' | 'logfmt' | 'text';

/** One line format: `decode` returns null when the line is not in this format. */
export interface LineFormat {
  readonly name: FormatName;
  decode(line: string): Decoded | null;
  /** Learns stream-specific structure from the stream's first lines before decoding them. */
  prime?(lines: string[]): void;
}
