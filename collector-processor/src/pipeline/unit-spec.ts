import type { LogRecord } from '../record';
import { SessionAssigner, compileSessionKey } from '../features/session-assigner';
import type { Unit } from '../features/unit';
import { WindowAssigner } from '../features/window-assigner';

export type UnitSpec =
  { kind: 'window'; windowSeconds: number } | { kind: 'session'; sessionKey: string; idleSeconds: number };

export interface Assigner {
  /** False when the record's unit had already closed: counted in `late`, in no unit. */
  add(r: LogRecord): boolean;
  /**
   * Time has reached `ms`: close what can close (quiet streams, idle sessions). With a clock, `ms`
   * is the clock's time and each stream's event time follows it from that stream's latest record.
   */
  advance(ms: number): void;
  flush(): void;
  /** The stream's open units as plain JSON (snapshots), undefined when it has none. */
  exportStream(stream: string): unknown;
  importStream(stream: string, json: unknown): void;
  dropStream(stream: string): void;
  /** Lines that came after their unit had closed: counted, in no unit. */
  readonly late: number;
}

export const DEFAULT_WINDOW_SECONDS = 60;
export const DEFAULT_SESSION_IDLE_SECONDS = 3600;

/** `--session-key` wins over `--window`; neither means 60-second windows. */
export function unitSpecFromFlags(flags: { sessionKey?: string; window?: string | number }): UnitSpec {
  if (flags.sessionKey !== undefined) {
    compileSessionKey(flags.sessionKey); // fail before reading any input
    return { kind: 'session', sessionKey: flags.sessionKey, idleSeconds: DEFAULT_SESSION_IDLE_SECONDS };
  }
  const w = flags.window === undefined ? DEFAULT_WINDOW_SECONDS : Number(flags.window);
  if (!Number.isFinite(w) || w <= 0)
    throw new Error(`--window must be a positive number of seconds, got ${JSON.stringify(flags.window)}`);
  return { kind: 'window', windowSeconds: w };
}

/** The live service's: the allowed lateness of windows, and the clock each stream's watermark follows. */
export interface LiveTime {
  latenessSeconds: number;
  now: () => number;
}

export function createAssigner(spec: UnitSpec, onUnit: (u: Unit) => void, live?: LiveTime): Assigner {
  return spec.kind === 'window'
    ? new WindowAssigner(spec.windowSeconds, onUnit, live?.latenessSeconds, live?.now)
    : new SessionAssigner(spec.sessionKey, onUnit, spec.idleSeconds);
}
