import type { LogRecord } from '../record';

/** Splits off records whose body is longer than limits.maxLineBytes (UTF-8 bytes). */
export function splitByLineLimit(
  records: LogRecord[],
  maxLineBytes: number,
): { kept: LogRecord[]; tooLong: LogRecord[] } {
  const kept: LogRecord[] = [];
  const tooLong: LogRecord[] = [];
  for (const r of records) {
    // Cheap bound first: a string can't take more than 3 bytes per UTF-16 unit.
    const fits = r.body.length * 3 <= maxLineBytes || Buffer.byteLength(r.body) <= maxLineBytes;
    (fits ? kept : tooLong).push(r);
  }
  return { kept, tooLong };
}
