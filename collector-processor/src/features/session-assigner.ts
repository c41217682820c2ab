import type { LogRecord } from '../record';
import { addRecord, newUnit, unitFromJson, unitToJson, type Unit, type UnitJson } from './unit';

/**
 * Sessions keyed by a regex: a line joins every session whose key the regex finds in it (an HDFS
 * line that names two blocks belongs to both). A session closes after `idleSeconds` of event time
 * without lines, when more than `maxOpen` are open (least recently active first), or at end of input.
 */
export class SessionAssigner {
  /** Open sessions per stream, by key. */
  private readonly open = new Map<string, Map<string, Unit>>();
  private openCount = 0;
  private readonly re: RegExp;
  private readonly idleMs: number;
  private nowMs = -Infinity;
  private sinceSweep = 0;
  /** Sessions take a line whenever it comes: none is ever late. */
  readonly late = 0;
  /** Lines in which the regex found no key. */
  unkeyed = 0;

  constructor(
    pattern: string | RegExp,
    private readonly onUnit: (u: Unit) => void,
    idleSeconds = 3600,
    private readonly maxOpen = 200_000,
  ) {
    this.re = compileSessionKey(pattern);
    this.idleMs = idleSeconds * 1000;
  }

  /** Always true: a line for a session already closed opens a new one (an unkeyed line is counted apart). */
  add(r: LogRecord): boolean {
    const text = r.raw ?? r.body;
    this.re.lastIndex = 0;
    let m = this.re.exec(text);
    if (!m) {
      this.unkeyed++;
      return true;
    }
    const t = r.timeMs ?? (this.nowMs === -Infinity ? 0 : this.nowMs);
    if (t > this.nowMs) this.nowMs = t;
    let sessions = this.open.get(r.stream);
    if (!sessions) this.open.set(r.stream, (sessions = new Map()));
    let first: string | null = null;
    for (; m; m = this.re.exec(text)) {
      if (m[0] === '') {
        this.re.lastIndex++;
        continue;
      }
      const key = m[1] ?? m[0];
      if (key === first) continue;
      first ??= key;
      let u = sessions.get(key);
      if (!u) {
        u = newUnit(r.stream, key, 'session', t);
        sessions.set(key, u);
        this.openCount++;
      }
      addRecord(u, r, t);
    }
    // A sweep visits every open session, so it runs once per that many lines: O(1) per line.
    if (++this.sinceSweep >= Math.max(4096, this.openCount) || this.openCount > this.maxOpen) this.sweep();
    return true;
  }

  /** The stream's open sessions, or undefined when it has none. */
  exportStream(stream: string): { nowMs: number; open: UnitJson[] } | undefined {
    const sessions = this.open.get(stream);
    return sessions && { nowMs: this.nowMs, open: [...sessions.values()].map(unitToJson) };
  }

  /** Replaces the stream's sessions with exported ones (a restart or a moved Kafka partition). */
  importStream(stream: string, json: { nowMs: number; open: UnitJson[] }): void {
    this.dropStream(stream);
    this.open.set(stream, new Map(json.open.map((u) => [u.key, unitFromJson(u)] as const)));
    this.openCount += json.open.length;
    if (json.nowMs > this.nowMs) this.nowMs = json.nowMs;
  }

  /** Forgets the stream (another replica owns it now). */
  dropStream(stream: string): void {
    this.openCount -= this.open.get(stream)?.size ?? 0;
    this.open.delete(stream);
  }

  /** Closes sessions idle since before `nowMs - idle` (the streaming pipeline calls this on a timer). */
  advance(nowMs: number): void {
    if (nowMs > this.nowMs) this.nowMs = nowMs;
    this.sweep();
  }

  flush(): void {
    for (const sessions of this.open.values()) for (const u of sessions.values()) this.onUnit(u);
    this.open.clear();
    this.openCount = 0;
  }

  private sweep(): void {
    this.sinceSweep = 0;
    this.closeWhere((u) => u.endMs < this.nowMs - this.idleMs);
    if (this.openCount > this.maxOpen) {
      // Over the memory bound: close the least recently active sessions first.
      const ends: number[] = [];
      for (const sessions of this.open.values()) for (const u of sessions.values()) ends.push(u.endMs);
      ends.sort((a, b) => a - b);
      const cut = ends[this.openCount - this.maxOpen]!;
      this.closeWhere((u) => u.endMs < cut);
    }
  }

  private closeWhere(done: (u: Unit) => boolean): void {
    for (const sessions of this.open.values()) {
      for (const [key, u] of sessions) {
        if (!done(u)) continue;
        sessions.delete(key);
        this.openCount--;
        this.onUnit(u);
      }
    }
  }
}

/** Compiles a session-key regex with the global flag; a bad pattern is a one-line error. */
export function compileSessionKey(pattern: string | RegExp): RegExp {
  if (pattern instanceof RegExp)
    return new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g');
  try {
    return new RegExp(pattern, 'g');
  } catch (err) {
    throw new Error(`invalid --session-key regex ${JSON.stringify(pattern)}: ${(err as Error).message}`);
  }
}
