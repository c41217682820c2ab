import type { LogRecord } from '../record';
import { auditFormat } from './audit-format';
import { clfFormat } from './clf-format';
import { criFormat, dockerFormat } from './container-format';
import type { Decoded, FormatName, LineFormat } from './decoded';
import { validTimeMs } from './event-time';
import { headerTextFormat } from './header-text-format';
import { jsonFormat } from './json-format';
import { logfmtFormat } from './logfmt-format';
import { rfc3164Format, rfc5424Format } from './syslog-format';

export interface StreamDecoder {
  /** A record for the line, or null when it is malformed (empty, binary, broken JSON): count it. */
  decode(line: string, lineNo: number): LogRecord | null;
  /**
   * Learns the stream's structure (header columns) from its first lines before they are decoded,
   * so that they are decoded like the rest; without it the decoder learns while decoding.
   */
  prime(lines: string[]): void;
  /** The format of the last decoded line (null before the first). */
  readonly format: FormatName | null;
}

export interface DecoderOptions {
  /** Reference time for year inference (tests); defaults to the clock. */
  nowMs?: number;
  /** Parse times of free-text headers (default true); off where only templates are wanted. */
  times?: boolean;
}

/** Formats in detection order: the specific before the general; free text accepts anything. */
function formats(options: DecoderOptions, containers: boolean): LineFormat[] {
  const { nowMs } = options;
  const inner = [
    jsonFormat(nowMs),
    rfc5424Format(),
    rfc3164Format(nowMs),
    clfFormat(),
    // Before logfmt: an audit record is key=value pairs too, with its meaning inside msg=...
    auditFormat(),
    logfmtFormat(nowMs),
    headerTextFormat(nowMs, options.times ?? true),
  ];
  return containers ? [dockerFormat(), criFormat(), ...inner] : inner;
}

/** Chars looked at to weigh control against printable characters. */
const JUNK_WINDOW = 256;
const VISIBLE = /\S/;
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CONTROL = /[\x00-\x08\x0b-\x1f\ufffd]/;

/** Empty or blank, or binary: NULs, replacement characters or mostly control characters. */
function isJunk(line: string): boolean {
  if (!VISIBLE.test(line)) return true;
  // Two native scans settle the common case, a line of ordinary text.
  if (!CONTROL.test(line)) return false;
  let control = 0;
  let printable = 0;
  const n = Math.min(line.length, JUNK_WINDOW);
  for (let i = 0; i < n; i++) {
    const c = line.charCodeAt(i);
    if (c === 0 || c === 0xfffd) control += 4;
    else if (c < 32 && c !== 9) control++;
    else if (c !== 32 && c !== 9) printable++;
  }
  return printable === 0 || control * 4 > printable;
}

/**
 * The decoder of one stream: detects the format on the first line, keeps it while lines fit,
 * and re-detects on the first line that does not (a stream may change format, e.g. after a
 * restart with another logger). Container wrappers are unwrapped and their inner line decoded
 * by a nested decoder with its own detection.
 */
export function createStreamDecoder(stream: string, options: DecoderOptions = {}): StreamDecoder {
  return new FormatDetectingDecoder(stream, formats(options, true), options);
}

class FormatDetectingDecoder implements StreamDecoder {
  private current: LineFormat | null = null;
  private inner: FormatDetectingDecoder | null = null;

  constructor(
    private readonly stream: string,
    private readonly candidates: LineFormat[],
    private readonly options: DecoderOptions,
  ) {}

  get format(): FormatName | null {
    return this.current?.name ?? null;
  }

  prime(lines: string[]): void {
    for (const f of this.candidates) f.prime?.(lines);
  }

  decode(line: string, lineNo: number): LogRecord | null {
    const d = this.decodeLine(line);
    if (!d) return null;
    // Every field set in one literal: one object shape for all records keeps the hot path fast.
    return {
      stream: this.stream,
      line: lineNo,
      // Every format's time passes here: NaN or a year past 9999 never reaches the windows.
      timeMs: validTimeMs(d.timeMs),
      severityNumber: d.severityNumber,
      severityText: d.severityText,
      body: d.body,
      component: d.component,
      raw: line,
      attributes: d.attributes,
      traceId: d.traceId,
      spanId: d.spanId,
    };
  }

  private decodeLine(line: string): Decoded | null {
    if (isJunk(line)) return null;
    // Free text accepts every line, so a text stream looks for a switch only where a structured
    // format would start (`{`, `<PRI>`); other formats re-detect when a line does not fit.
    const c0 = line.charCodeAt(0);
    const text = this.current?.name === 'text';
    const tried = text && (c0 === 123 || c0 === 60) ? null : this.current;
    let d = tried?.decode(line) ?? null;
    if (!d) {
      // A line shaped like JSON in a JSON stream that does not parse is broken, not free text.
      const jsonStream = this.current?.name === 'json' || this.current?.name === 'docker';
      if (jsonStream && /^\s*[{[]/.test(line)) return null;
      for (const f of this.candidates) {
        if (f === tried) continue;
        d = f.decode(line);
        if (d) {
          this.current = f;
          break;
        }
      }
      if (!d) return null;
    }
    const name = this.current!.name;
    return name === 'cri' || name === 'docker' ? this.unwrap(d) : d;
  }

  /** Decodes a container line's payload; the wrapper's time stands in when the app wrote none. */
  private unwrap(outer: Decoded): Decoded | null {
    this.inner ??= new FormatDetectingDecoder(this.stream, formats(this.options, false), this.options);
    const d = this.inner.decodeLine(outer.body);
    if (!d) return null;
    return {
      ...d,
      timeMs: validTimeMs(d.timeMs) ?? outer.timeMs,
      attributes: { ...outer.attributes, ...d.attributes },
    };
  }
}
