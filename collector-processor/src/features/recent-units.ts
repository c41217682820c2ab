import type { NumericStat, Unit } from './unit';

/**
 * The time a "recent" rule pools, the current window included. A low-volume stream's evidence is
 * spread thin: an error share of 4 % at five requests a minute is one error line every few minutes,
 * a latency x3 on an endpoint called once a minute is one slow value per minute. Neither is
 * surprising in one minute; ten together are.
 */
const RECENT_SPAN_MS = 10 * 60_000;
/** Streams whose recent windows are kept; the least recently scored go first. */
const MAX_STREAMS = 50_000;
/** Fewer windows than this in the span (windows over 3 min 20 s long) pool nothing new. */
const MIN_RECENT_WINDOWS = 3;

/** Windows that show whether a spell is still going on (the current one and the two before it). */
const LATEST_WINDOWS = 3;

/** Windows of this width the recent span holds; 0 where windows are too long to pool. */
export function recentWindows(widthMs: number): number {
  const n = widthMs > 0 ? Math.floor(RECENT_SPAN_MS / widthMs) : 0;
  return n >= MIN_RECENT_WINDOWS ? n : 0;
}

/** A window with its stream's recent windows: all of them, and the latest few. */
export interface Recent {
  span: Unit;
  latest: Unit;
}

/** What a window leaves for the windows after it: its volume, template counts, numbers and identifiers' steps. */
interface Past {
  startMs: number;
  endMs: number;
  lines: number;
  counts: Map<string, number>;
  numeric: Map<string, NumericStat>;
  keyed: Map<string, string[]>;
}

/**
 * The windows of each stream just before the one being scored, kept as counts only. Sessions are
 * independent requests or blocks, and long windows pool enough already: they get null.
 */
export class RecentUnits {
  private readonly byStream = new Map<string, Past[]>();

  constructor(private readonly maxStreams = MAX_STREAMS) {}

  /** The window merged with the stream's windows before it. */
  with(u: Unit): Recent | null {
    const windows = spanOf(u);
    return windows > 0 ? recent(u, this.byStream.get(u.stream) ?? [], windows) : null;
  }

  /** Remembers a scored window for the ones after it (per stream, in time order). */
  push(u: Unit): void {
    const windows = spanOf(u);
    if (windows === 0) return;
    const past = this.byStream.get(u.stream) ?? [];
    const { startMs, endMs, lines, counts, numeric, keyed } = u;
    past.push({ startMs, endMs, lines, counts, numeric, keyed });
    while (past.length >= windows) past.shift();
    // Most recently scored last: streams that come and go (a pod per stream) fall off the front.
    this.byStream.delete(u.stream);
    this.byStream.set(u.stream, past);
    if (this.byStream.size > this.maxStreams) this.byStream.delete(this.byStream.keys().next().value!);
  }
}

function spanOf(u: Unit): number {
  return u.kind === 'window' ? recentWindows(u.endMs - u.startMs) : 0;
}

/**
 * For training: each calibration window merged with the windows before it on the timeline, the
 * excluded ones (units read as incidents) left out, so a baseline incident does not make its
 * neighbours look like the normal spread of the statistic.
 */
export function recentFromTimeline(
  timeline: Unit[],
  excluded: (u: Unit) => boolean,
): (u: Unit) => Recent | null {
  const byStream = new Map<string, Unit[]>();
  for (const u of timeline) {
    if (u.kind !== 'window' || excluded(u)) continue;
    let a = byStream.get(u.stream);
    if (!a) byStream.set(u.stream, (a = []));
    a.push(u);
  }
  for (const a of byStream.values()) a.sort((x, y) => x.startMs - y.startMs);
  return (u) => {
    const windows = spanOf(u);
    if (windows === 0) return null;
    const a = byStream.get(u.stream) ?? [];
    const end = lowerBound(a, u.startMs);
    return recent(u, a.slice(Math.max(0, end - windows + 1), end), windows);
  };
}

function recent(u: Unit, before: Past[], windows: number): Recent {
  return {
    span: mergeRecent(u, before, windows, true),
    latest: mergeRecent(u, before.slice(-(LATEST_WINDOWS - 1)), LATEST_WINDOWS, false),
  };
}

/**
 * The unit with the earlier windows that lie within `windows` window widths of its end.
 * `pooledOnly`: numbers only in the slots that the latest windows have and that two windows or more
 * of the span add to.
 */
function mergeRecent(u: Unit, before: Past[], windows: number, pooledOnly: boolean): Unit {
  const from = u.endMs - windows * (u.endMs - u.startMs);
  const past = before.filter((p) => p.startMs >= from && p.endMs <= u.startMs);
  // No earlier window: nothing pooled (the window's own numeric rule judges its values).
  if (past.length === 0) return pooledOnly ? { ...u, numeric: new Map() } : u;
  const counts = new Map(u.counts);
  const numeric = new Map<string, NumericStat>();
  for (const [slot, v] of u.numeric) numeric.set(slot, { ...v });
  let lines = u.lines;
  const holding = new Map<string, number>();
  for (const p of past) {
    lines += p.lines;
    for (const [id, c] of p.counts) counts.set(id, (counts.get(id) ?? 0) + c);
    for (const [slot, v] of p.numeric) {
      const s = numeric.get(slot);
      if (s) {
        s.sum += v.sum;
        s.sq += v.sq;
        s.n += v.n;
      } else numeric.set(slot, { ...v });
      holding.set(slot, (holding.get(slot) ?? 0) + 1);
    }
  }
  if (pooledOnly) {
    // A slot the latest windows have (an endpoint called now and then is still slow while its spell
    // goes on, whether or not this minute called it), pooled from two windows or more: one slow value
    // is the window's own rule's, and an endpoint gone quiet for the latest windows judges nothing.
    const since = u.endMs - LATEST_WINDOWS * (u.endMs - u.startMs);
    const latest = new Set(
      [u, ...past.filter((p) => p.startMs >= since)].flatMap((w) => [...w.numeric.keys()]),
    );
    for (const slot of numeric.keys())
      if (!latest.has(slot) || (holding.get(slot) ?? 0) + (u.numeric.has(slot) ? 1 : 0) < 2)
        numeric.delete(slot);
  }
  return { ...u, startMs: past[0]!.startMs, lines, counts, numeric, keyed: mergeKeyed([...past, u]) };
}

/** One identifier's steps across the windows, in time order (an order's steps may cross a minute). */
function mergeKeyed(windows: Past[]): Map<string, string[]> {
  const keyed = new Map<string, string[]>();
  for (const w of windows)
    for (const [key, steps] of w.keyed) {
      const before = keyed.get(key);
      keyed.set(key, before ? before.concat(steps) : steps);
    }
  return keyed;
}

function lowerBound(a: Unit[], startMs: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]!.startMs < startMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
