import type { Unit } from '../features/unit';
import { LEXICON_ERROR, LexiconCache } from './rules/severity-lexicon';
import { recentWindows } from '../features/recent-units';

/** A template in fewer than this share of its stream's training units is rare. */
const RARE = 0.03;
/** At most this share of the units is ever left out (a baseline holding more is not a baseline). */
const MAX_SHARE = 0.1;

/**
 * The units of a baseline that hold a rare template reading as an error (its header level, or
 * its words: "Unexpected error trying to delete block", "Out of memory"): the incidents a real
 * baseline holds. Left in, the models learn them as normal and the next incident of the kind
 * scores as routine; a unit that is merely rare (a replication, a nightly job) reads as no error
 * and stays. Rarity is per stream. A window qualifies only as part of a burst (another window of
 * its stream within the recent rules' span holds the template too, so an incident logging an
 * error every few minutes is left out whole): a rare error scattered over single windows (a payment
 * declined now and then) is the stream's normal background, not an incident. Where
 * more than `MAX_SHARE` of the units qualify, the rarest templates' units go first.
 *
 * Returns the units to leave out (units, not indices: the caller may reorder its array).
 */
export function rareErrorUnits(units: Unit[], templateText: (id: string) => string | undefined): Set<Unit> {
  const perStream = new Map<string, number>();
  const present = new Map<string, number>();
  for (const u of units) {
    perStream.set(u.stream, (perStream.get(u.stream) ?? 0) + 1);
    for (const id of u.counts.keys()) present.set(id, (present.get(id) ?? 0) + 1);
  }
  const burst = windowNeighbours(units);
  const lexicon = new LexiconCache(templateText);
  const rarest: { index: number; share: number }[] = [];
  units.forEach((u, index) => {
    const n = perStream.get(u.stream)!;
    let share = Infinity;
    for (const id of u.counts.keys()) {
      const s = present.get(id)! / n;
      if (s >= RARE || s >= share) continue;
      if (u.kind === 'window' && !burst(index, id)) continue;
      if (lexicon.strongest(id, u) >= LEXICON_ERROR) share = s;
    }
    if (share < Infinity) rarest.push({ index, share });
  });
  rarest.sort((a, b) => a.share - b.share || a.index - b.index);
  return new Set(rarest.slice(0, Math.floor(units.length * MAX_SHARE)).map((r) => units[r.index]!));
}

/**
 * Whether another window of unit i's stream holds template id too, within the recent rules' span
 * (the next window at least, where windows are too long for a span).
 */
function windowNeighbours(units: Unit[]): (i: number, id: string) => boolean {
  const at = new Map<string, Unit>();
  for (const u of units) if (u.kind === 'window') at.set(`${u.stream}\n${u.startMs}`, u);
  return (i, id) => {
    const u = units[i]!;
    const len = u.endMs - u.startMs;
    const reach = Math.max(2, recentWindows(len));
    for (let d = 1; d < reach; d++)
      for (const t of [u.startMs - d * len, u.startMs + d * len])
        if (at.get(`${u.stream}\n${t}`)?.counts.has(id)) return true;
    return false;
  };
}
