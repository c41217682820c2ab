import type { LogRecord } from '../../record';
import { RecordDecoder } from '../record-decoder';
import { trainFromRecords } from '../trainer';

/*
 * Synthetic traffic for the service tests: minutes of a normal two-service pattern (lines carry
 * ISO timestamps, so event time advances as fast as the test posts) and a burst of new errors.
 */

/** One minute of normal traffic of the `api` and `worker` streams. */
export function normalMinute(start: number, i: number): Record<'api' | 'worker', string[]> {
  const t = (s: number) => new Date(start + i * 60_000 + s * 1000).toISOString();
  const api: string[] = [];
  const worker: string[] = [];
  for (let s = 0; s < 60; s += 3)
    api.push(`${t(s)} INFO api GET /items/${(i * 7 + s) % 50} 200 in ${10 + ((i + s) % 30)} ms`);
  for (let s = 0; s < 60; s += 10) {
    worker.push(
      `${t(s)} INFO worker job ${i * 10 + s} started`,
      `${t(s + 1)} INFO worker job ${i * 10 + s} finished in ${200 + s} ms`,
    );
  }
  return { api, worker };
}

/** Forty never-seen error lines in minute `i`. */
export function errorBurst(start: number, i: number): string[] {
  return Array.from(
    { length: 40 },
    (_, k) =>
      `${new Date(start + i * 60_000 + k * 1000).toISOString()} ERROR api upstream db-7 refused connection (attempt ${k})`,
  );
}

/** A start minute such that `minutes` minutes of event time end about now (the service also closes windows by the clock). */
export function startMinutesAgo(minutes: number): number {
  return Math.floor((Date.now() - minutes * 60_000) / 60_000) * 60_000;
}

/** Raw lines of a stream as decoded records (what the Collector sends, or the pipeline decodes). */
export function decodeLines(stream: string, lines: string[]): LogRecord[] {
  const decoder = new RecordDecoder();
  return lines.map((l, k) =>
    decoder.decode({
      stream,
      line: k + 1,
      timeMs: null,
      severityNumber: 0,
      severityText: '',
      body: l,
      raw: l,
    }),
  );
}

/** One minute of a stream's normal traffic (`api*` or `worker*`) as decoded records. */
export function minuteRecords(stream: string, start: number, i: number): LogRecord[] {
  const m = normalMinute(start, i);
  return decodeLines(stream, stream.startsWith('api') ? m.api : m.worker);
}

/** A model bundle trained on `minutes` minutes of the streams' normal traffic (60-second windows). */
export async function trainTrafficModel(
  out: string,
  streams: string[],
  start: number,
  minutes = 30,
  seed?: number,
) {
  const records = streams.flatMap((s) =>
    Array.from({ length: minutes }, (_, i) => minuteRecords(s, start, i)).flat(),
  );
  await trainFromRecords(records, { out, unit: { kind: 'window', windowSeconds: 60 }, seed });
}
