import type { LogRecord } from '../record';
import { addRecord, newUnit, unitFromJson, unitToJson, type Unit, type UnitJson } from './unit';

/** One stream's open windows as plain JSON (the service snapshots them to storage). */
export interface StreamWindowsJson {
  open: UnitJson[];
  nextStart: number;
  maxTimeMs: number;
  lastTimeMs: number | null;
  lines: number;
  /** Clock time of the stream's latest record (with a clock; absent in older snapshots). */
  arrivalMs?: number;
}

interface StreamWindows {
  open: Map<number, Unit>;
  /** Start of the next window to emit: windows are emitted in order, empty ones included. */
  nextStart: number;
  maxTimeMs: number;
  lastTimeMs: number | null;
  lines: number;
  arrivalMs?: number;
}

/**
 * Empty windows emitted in a row by one close before the rest of the gap is skipped. A quiet
 * stream's silence is told by its first empty windows (and the live clock still closes one per
 * window while it stays quiet); one per window across a jump of event time (logs replayed from
 * another year, a clock far off) would run and allocate without bound, in every stream at once.
 */
export const MAX_EMPTY_RUN = 60;

/**
 * Tumbling event-time windows per stream. A window closes once the stream's watermark (its latest
 * event time minus the allowed lateness) passes its end; windows with no lines are still
 * emitted (up to MAX_EMPTY_RUN in a row), because a stream that goes quiet is itself a signal.
 *
 * With a clock (the live service), each stream's watermark is also held at the clock: a record
 * from a clock running ahead opens its window without closing the stream's current ones, and
 * between records a stream's event time goes on at the clock's pace from its own latest record
 * (advance), so one stream's clock or delay never closes another's windows.
 */
export class WindowAssigner {
  private readonly streams = new Map<string, StreamWindows>();
  private readonly windowMs: number;
  private readonly latenessMs: number;
  /** Lines that arrived for a window that had already closed. */
  late = 0;

  constructor(
    windowSeconds: number,
    private readonly onUnit: (u: Unit) => void,
    latenessSeconds = 0,
    private readonly clock?: () => number,
  ) {
    if (!(windowSeconds > 0))
      throw new Error(`window must be a positive number of seconds, got ${windowSeconds}`);
    this.windowMs = windowSeconds * 1000;
    this.latenessMs = latenessSeconds * 1000;
  }

  /** Adds the line to its window; false when that window had already closed (counted in `late`). */
  add(r: LogRecord): boolean {
    let s = this.streams.get(r.stream);
    // Lines without a timestamp take the stream's last time; a stream with none at all advances
    // one second per line so that it still forms windows.
    const t = r.timeMs ?? s?.lastTimeMs ?? (s ? s.lines : 0) * 1000;
    const start = t - (((t % this.windowMs) + this.windowMs) % this.windowMs);
    if (!s) {
      s = { open: new Map(), nextStart: start, maxTimeMs: t, lastTimeMs: null, lines: 0 };
      this.streams.set(r.stream, s);
    }
    const now = this.clock?.();
    if (now !== undefined) s.arrivalMs = now;
    s.lines++;
    if (r.timeMs !== null) s.lastTimeMs = r.timeMs;
    if (start < s.nextStart) {
      this.late++;
      return false;
    }
    let u = s.open.get(start);
    if (!u) {
      u = newUnit(r.stream, windowKey(start, this.windowMs), 'window', start, start + this.windowMs);
      s.open.set(start, u);
    }
    addRecord(u, r, t);
    u.endMs = start + this.windowMs;
    if (t > s.maxTimeMs) {
      s.maxTimeMs = t;
      this.closeUntil(r.stream, s, Math.min(t, now ?? Infinity) - this.latenessMs);
    }
    return true;
  }

  /** The stream's open windows, or undefined when it has none. */
  exportStream(stream: string): StreamWindowsJson | undefined {
    const s = this.streams.get(stream);
    return s && { ...s, open: [...s.open.values()].map(unitToJson) };
  }

  /**
   * Replaces the stream's windows with exported ones (a restart or a moved Kafka partition). Its
   * event time resumes from now, so records replayed after the move still fill the restored windows.
   */
  importStream(stream: string, json: StreamWindowsJson): void {
    const open = new Map(json.open.map((u) => [u.startMs, unitFromJson(u)] as const));
    this.streams.set(stream, { ...json, open, arrivalMs: this.clock?.() ?? json.arrivalMs });
  }

  /** Forgets the stream (another replica owns it now). */
  dropStream(stream: string): void {
    this.streams.delete(stream);
  }

  /**
   * Closes, in every stream (quiet ones too), the windows that end at or before its watermark at
   * `nowMs`: its latest event time moved on by the clock time since its latest record, never past
   * the clock; without a clock, `nowMs` itself (event time has reached it).
   */
  advance(nowMs: number): void {
    for (const [name, s] of this.streams) {
      const reached =
        s.arrivalMs === undefined ? nowMs : Math.min(s.maxTimeMs + Math.max(0, nowMs - s.arrivalMs), nowMs);
      this.closeUntil(name, s, reached - this.latenessMs);
    }
  }

  /** End of input: closes all open windows, and empty ones up to the latest time of any stream. */
  flush(): void {
    let end = -Infinity;
    for (const s of this.streams.values()) end = Math.max(end, s.maxTimeMs);
    for (const [name, s] of this.streams) {
      const last = Math.max(end, ...s.open.keys());
      this.closeUntil(
        name,
        s,
        last - (((last % this.windowMs) + this.windowMs) % this.windowMs) + this.windowMs,
      );
    }
  }

  private closeUntil(stream: string, s: StreamWindows, watermarkMs: number): void {
    let empty = 0;
    while (s.nextStart + this.windowMs <= watermarkMs) {
      const start = s.nextStart;
      const u = s.open.get(start);
      if (u) {
        s.open.delete(start);
        empty = 0;
      } else if (++empty > MAX_EMPTY_RUN) {
        s.nextStart = this.afterGap(s, start, watermarkMs);
        empty = 0;
        continue;
      }
      this.onUnit(
        u ?? newUnit(stream, windowKey(start, this.windowMs), 'window', start, start + this.windowMs),
      );
      s.nextStart = start + this.windowMs;
    }
  }

  /**
   * Where closing resumes after skipping the empty windows from `start`: the next open window, or
   * the first window the watermark leaves open. Visits the open windows, not the windows between.
   */
  private afterGap(s: StreamWindows, start: number, watermarkMs: number): number {
    const end = watermarkMs - this.windowMs;
    let next = end - (((end % this.windowMs) + this.windowMs) % this.windowMs) + this.windowMs;
    for (const open of s.open.keys()) if (open > start && open < next) next = open;
    return next;
  }
}

function windowKey(startMs: number, windowMs: number): string {
  return `${new Date(startMs).toISOString().replace('.000Z', 'Z')}/${windowMs / 1000}s`;
}
