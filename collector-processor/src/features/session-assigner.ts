import type { LogRecord } from '../record';
import { addRecord, newUnit, type Unit } from './unit';

/**
 * Sessions keyed by a regex: a line joins every session whose key the regex finds in it (an HDFS
 * line that names two blocks belongs to both). A session closes after `idleSeconds` of event time
 * without lines, when more than `maxOpen` are open (oldest first), or at end of input.
 */
export class SessionAssigner {
  /** Insertion order = order of last activity, so the idle ones are always at the front. */
  private readonly open = new Map<string, Unit>();
  private readonly re: RegExp;
  private readonly idleMs: number;
  private nowMs = -Infinity;
  private sinceSweep = 0;
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

  add(r: LogRecord): void {
    const text = r.raw ?? r.body;
    this.re.lastIndex = 0;
    let m = this.re.exec(text);
    if (!m) {
      this.unkeyed++;
      return;
    }
    const t = r.timeMs ?? (this.nowMs === -Infinity ? 0 : this.nowMs);
    if (t > this.nowMs) this.nowMs = t;
    let first: string | null = null;
    for (; m; m = this.re.exec(text)) {
      if (m[0] === '') {
        this.re.lastIndex++;
        continue;
      }
      const key = m[1] ?? m[0];
      if (key === first) continue;
      first ??= key;
      const id = `${r.stream}\u0000${key}`;
      let u = this.open.get(id);
      if (u) this.open.delete(id);
      else u = newUnit(r.stream, key, 'session', t);
      addRecord(u, r, t);
      this.open.set(id, u);
    }
    if (++this.sinceSweep >= 1024 || this.open.size > this.maxOpen) this.sweep();
  }

  /** Closes sessions idle since before `nowMs - idle` (the streaming pipeline calls this on a timer). */
  advance(nowMs: number): void {
    if (nowMs > this.nowMs) this.nowMs = nowMs;
    this.sweep();
  }

  flush(): void {
    for (const u of this.open.values()) this.onUnit(u);
    this.open.clear();
  }

  private sweep(): void {
    this.sinceSweep = 0;
    const limit = this.nowMs - this.idleMs;
    for (const [id, u] of this.open) {
      if (u.endMs >= limit && this.open.size <= this.maxOpen) break;
      this.open.delete(id);
      this.onUnit(u);
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
