import type { Unit } from './unit';

/**
 * The unit's stream and template counts as one key: units with the same key logged the same lines.
 * Templates, not what they mean: "to <*>" and "to <*>, <*>" (one datanode or two) are two patterns,
 * as they are two columns to the models, which is what a pattern must be learnable as.
 */
export function unitPattern(u: Unit): string {
  const counts = [...u.counts].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return `${u.stream}\u0000${counts.map(([id, n]) => `${id}:${n}`).join(',')}`;
}

/** The units whose pattern occurs at least `min` times among `units`. */
export function repeatedUnits(units: Unit[], min: number): Set<Unit> {
  const out = new Set<Unit>();
  for (const same of byPattern(units)) if (same.length >= min) for (const u of same) out.add(u);
  return out;
}

/** The most times one pattern occurs among `units` (0 for none). */
export function largestRepeat(units: Unit[]): number {
  return Math.max(0, ...[...byPattern(units)].map((same) => same.length));
}

function byPattern(units: Unit[]): Iterable<Unit[]> {
  const groups = new Map<string, Unit[]>();
  for (const u of units) {
    const key = unitPattern(u);
    const same = groups.get(key);
    if (same) same.push(u);
    else groups.set(key, [u]);
  }
  return groups.values();
}
