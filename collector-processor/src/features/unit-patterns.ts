import type { Unit } from './unit';

/** The unit's stream and template counts as one key: units with the same key logged the same lines. */
export function unitPattern(u: Unit): string {
  const counts = [...u.counts].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return `${u.stream}\u0000${counts.map(([id, n]) => `${id}:${n}`).join(',')}`;
}

/** The units whose pattern occurs at least `min` times among `units`. */
export function repeatedUnits(units: Unit[], min: number): Set<Unit> {
  const byPattern = new Map<string, Unit[]>();
  for (const u of units) {
    const key = unitPattern(u);
    const same = byPattern.get(key);
    if (same) same.push(u);
    else byPattern.set(key, [u]);
  }
  const out = new Set<Unit>();
  for (const same of byPattern.values()) if (same.length >= min) for (const u of same) out.add(u);
  return out;
}
