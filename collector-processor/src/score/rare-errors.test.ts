import { describe, expect, it } from 'vitest';
import type { Unit } from '../features/unit';
import { rareErrorUnits } from './rare-errors';
import { repeat, unit, type Line } from './rules/testing/units';

// HDFS-like blocks: a WARN line that says "exception" is routine (in most blocks); the incident's
// WARN line says "Unexpected error" and is in 1 % of them; a replication is rare but no error.
const TEXT: Record<string, string> = {
  recv: 'Receiving block <*> src: <*> dest: <*>',
  served: 'Got exception while serving <*> to <*>',
  delete: 'Unexpected error trying to delete block <*>. BlockInfo not found in volumeMap.',
  replicate: 'BLOCK* ask <*> to replicate <*> to datanode(s) <*>',
};
const text = (id: string) => TEXT[id];

function block(i: number, extra: Line[]) {
  return unit('hdfs', i, [...repeat(3, { id: 'recv', sev: 9 }), ...extra], 'session', `blk_${i}`);
}

const indices = (all: Unit[], out: Set<Unit>) => [...out].map((u) => all.indexOf(u)).sort((a, b) => a - b);

describe('rareErrorUnits', () => {
  const units = Array.from({ length: 1000 }, (_, i) =>
    block(i, [
      ...(i % 2 === 0 ? [{ id: 'served', sev: 13 }] : []),
      ...(i % 100 === 7 ? [{ id: 'delete', sev: 13 }] : []),
      ...(i % 100 === 50 ? [{ id: 'replicate', sev: 9 }] : []),
    ]),
  );

  it('leaves out the units holding a rare template that reads as an error, and only those', () => {
    const out = rareErrorUnits(units, text);
    expect(indices(units, out)).toEqual(Array.from({ length: 10 }, (_, k) => k * 100 + 7));
  });

  it('reads the error from the header level as well as from the words', () => {
    const plain = units.map((u, i) => (i % 100 === 50 ? block(i, [{ id: 'replicate', sev: 17 }]) : u));
    const out = rareErrorUnits(plain, text);
    expect(out.has(plain[50]!)).toBe(true);
    expect(out.size).toBe(20);
  });

  it('never leaves out more than a tenth of the units, the rarest templates first', () => {
    const noisy = Array.from({ length: 100 }, (_, i) =>
      block(i, [{ id: i < 2 ? 'rarest' : `err-${i % 40}`, sev: 17 }]),
    );
    const out = rareErrorUnits(noisy, () => undefined);
    expect(out.size).toBe(10);
    expect(out.has(noisy[0]!) && out.has(noisy[1]!)).toBe(true);
  });

  it('judges rarity within the stream, and in windows leaves out bursts, not scattered lines', () => {
    const win = (stream: string, i: number, lines: Line[]) =>
      unit(stream, i, [...repeat(5, { id: `${stream}-ok`, sev: 9 }), ...lines]);
    const api = Array.from({ length: 600 }, (_, i) =>
      win('api', i, [
        // A payment declined now and then: 1 % of windows, never two in a row.
        ...(i % 100 === 50 ? [{ id: 'declined', sev: 17 }] : []),
        // The baseline's incident: 6 windows in a row.
        ...(i >= 300 && i < 306 ? [{ id: 'pool', sev: 17 }] : []),
      ]),
    );
    // A small stream where failed logins are routine (a fifth of its windows; 3 % of all units).
    const auth = Array.from({ length: 100 }, (_, i) =>
      win('auth', i, i % 5 === 0 ? [{ id: 'login-failed', sev: 13 }] : []),
    );
    const all = [...api, ...auth];
    const out = rareErrorUnits(all, (id) => (id === 'login-failed' ? 'login failed' : undefined));
    expect(indices(all, out)).toEqual([300, 301, 302, 303, 304, 305]);
  });
});
