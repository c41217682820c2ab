import type { Unit } from '../features/unit';
import { LEXICON_ERROR, LexiconCache } from './rules/severity-lexicon';

/** A template in fewer than this share of its stream's training units is rare. */
const RARE = 0.03;
/** At most this share of the units is ever left out (a baseline holding more is not a baseline). */
const MAX_SHARE = 0.1;

/**
 * The units of a baseline that hold a rare template reading as an error (its header level, or
 * its words: "Unexpected error trying to delete block", "Out of memory"): the incidents a real
 * baseline holds. Left in, the models learn them as normal and the next incident of the kind
 * scores as routine; a unit that is merely rare (a replication, a nightly job) reads as no error
 * and stays. Rarity is per stream. A window qualifies only as part of a burst (the window before
 * or after it in its stream holds the template too): a rare error scattered over single windows
 * (a payment declined now and then) is the stream's normal background, not an incident. Where
 * more than `MAX_SHARE` of the units qualify, the rarest templates' units go first.
 *
 * Returns the indices of `units` to leave out.
 */
export function rareErrorUnits(units: Unit[], templateText: (id: string) => string | undefined): Set<number> {
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
  return new Set(rarest.slice(0, Math.floor(units.length * MAX_SHARE)).map((r) => r.index));
}

/** Whether the window before or after unit i in its stream holds template id too. */
function windowNeighbours(units: Unit[]): (i: number, id: string) => boolean {
  const at = new Map<string, Unit>();
  for (const u of units) if (u.kind === 'window') at.set(`${u.stream}\n${u.startMs}`, u);
  return (i, id) => {
    const u = units[i]!;
    const len = u.endMs - u.startMs;
    return [u.startMs - len, u.startMs + len].some(
      (t) => at.get(`${u.stream}\n${t}`)?.counts.has(id) ?? false,
    );
  };
}
