import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../record';
import { FeatureSpace } from './feature-space';
import { SessionAssigner, compileSessionKey } from './session-assigner';
import { newUnit, type Unit } from './unit';
import { WindowAssigner } from './window-assigner';

function rec(
  stream: string,
  timeMs: number | null,
  templateId: string,
  body = templateId,
  severityNumber = 9,
): LogRecord {
  return { stream, line: 0, timeMs, severityNumber, severityText: '', body, templateId, params: [] };
}

describe('WindowAssigner', () => {
  it('emits tumbling windows in order, empty ones for a quiet stream included', () => {
    const out: Unit[] = [];
    const w = new WindowAssigner(60, (u) => out.push(u));
    w.add(rec('a', 0, 't1'));
    w.add(rec('a', 30_000, 't1'));
    w.add(rec('b', 10_000, 't2'));
    w.add(rec('a', 200_000, 't1')); // a skips windows 60-120 and 120-180
    w.flush();
    const a = out.filter((u) => u.stream === 'a');
    expect(a.map((u) => u.lines)).toEqual([2, 0, 0, 1]);
    expect(a[0]!.key).toBe('1970-01-01T00:00:00Z/60s');
    // b went quiet after its first window but still gets windows up to the end of input.
    const b = out.filter((u) => u.stream === 'b');
    expect(b.map((u) => u.lines)).toEqual([1, 0, 0, 0]);
  });

  it('counts lines for windows that already closed instead of reopening them', () => {
    const out: Unit[] = [];
    const w = new WindowAssigner(10, (u) => out.push(u));
    w.add(rec('a', 0, 't'));
    w.add(rec('a', 25_000, 't'));
    w.add(rec('a', 1_000, 't'));
    expect(w.late).toBe(1);
    w.flush();
    expect(out.reduce((n, u) => n + u.lines, 0)).toBe(2);
  });

  it('rejects a non-positive window', () => {
    expect(() => new WindowAssigner(0, () => {})).toThrow(/positive/);
  });
});

describe('SessionAssigner', () => {
  it('puts a line in every session whose key it names, and closes idle sessions', () => {
    const out: Unit[] = [];
    const s = new SessionAssigner('blk_-?\\d+', (u) => out.push(u), 60);
    s.add({ ...rec('hdfs', 0, 'a'), raw: 'alloc blk_1' });
    s.add({ ...rec('hdfs', 1000, 'b'), raw: 'delete blk_1 blk_-2' });
    s.add({ ...rec('hdfs', 2000, 'c'), raw: 'no key here' });
    expect(s.unkeyed).toBe(1);
    s.advance(200_000);
    expect(out.map((u) => [u.key, u.lines]).sort()).toEqual([
      ['blk_-2', 1],
      ['blk_1', 2],
    ]);
    expect(out.find((u) => u.key === 'blk_1')!.sequence).toEqual(['a', 'b']);
  });

  it('gives a one-line error for a bad regex', () => {
    expect(() => compileSessionKey('blk_(')).toThrow(/invalid --session-key regex/);
  });
});

describe('FeatureSpace', () => {
  const unit = (counts: Record<string, number>, severity = [0, 0, 0, 0, 0, 0, 0]): Unit => ({
    stream: 's',
    key: 'k',
    kind: 'session',
    startMs: 0,
    endMs: 0,
    lines: Object.values(counts).reduce((a, b) => a + b, 0),
    counts: new Map(Object.entries(counts)),
    severity,
    numeric: new Map(),
    values: new Map(),
    levels: new Map(),
    sequence: [],
    keyed: new Map(),
    samples: [],
    examples: new Map(),
    traceIds: [],
  });

  it('counts never-seen templates in their own columns and standardises on training data', () => {
    const train = [unit({ a: 2, b: 1 }), unit({ a: 2, b: 3 }), unit({ a: 2 })];
    const fs = FeatureSpace.fit(train, new Map([['a', 'A <*>']]));
    expect(fs.templates).toEqual(['a', 'b']);
    const ci = fs.columns.indexOf('unseen_lines');
    const v = fs.transform(unit({ a: 2, zzz: 5 }));
    expect(v[fs.templateColumn('a')]).toBeCloseTo(0, 6); // constant column, at its mean
    expect(v[ci]).toBeGreaterThan(3); // never varied in training: the floor keeps it finite but large
    expect(fs.raw(unit({ zzz: 5, yyy: 1 }))[fs.columns.indexOf('unseen_templates')]).toBe(2);
    expect(fs.eventIndex('a')).toBe(2);
    expect(fs.eventIndex('zzz')).toBe(1);
    // Round trip through JSON gives the same vectors.
    const again = FeatureSpace.fromJSON(JSON.parse(JSON.stringify(fs.toJSON())));
    expect(Array.from(again.transform(unit({ b: 7 })))).toEqual(Array.from(fs.transform(unit({ b: 7 }))));
  });

  it('compares each unit with its own stream and falls back to all streams for a new one', () => {
    const mk = (stream: string, counts: Record<string, number>) => ({ ...unit(counts), stream });
    const train = [mk('a', { x: 10 }), mk('a', { x: 12 }), mk('b', { y: 1 }), mk('b', { y: 1 })];
    const fs = FeatureSpace.fit(train, new Map());
    const vol = fs.columns.indexOf('volume');
    expect(fs.expected(vol, 'a')).toBe(11);
    expect(fs.expected(vol, 'b')).toBe(1);
    expect(fs.expected(vol, 'new')).toBe(6);
    // Ten lines are normal for a, far too many for b.
    expect(Math.abs(fs.transform(mk('a', { x: 11 }))[vol]!)).toBeLessThan(1);
    expect(fs.transform(mk('b', { y: 11 }))[vol]!).toBeGreaterThan(3);
    expect(fs.knowsStream('b')).toBe(true);
    expect(fs.knowsStream('new')).toBe(false);
  });

  it('refuses to fit on no units', () => {
    expect(() => FeatureSpace.fit([], new Map())).toThrow(/no training units/);
  });
});

describe('FeatureSpace with streams named like Object.prototype members', () => {
  it('keeps their scaling apart and does not take a prototype member for a trained stream', () => {
    const unit = (stream: string, x: number): Unit => {
      const u = newUnit(stream, 'k', 'window', 0);
      u.lines = x;
      u.counts.set('t', x);
      return u;
    };
    const train = [unit('__proto__', 10), unit('__proto__', 12), unit('api', 1), unit('api', 3)];
    const fs = FeatureSpace.fromJSON(JSON.parse(JSON.stringify(FeatureSpace.fit(train, new Map()).toJSON())));
    const vol = fs.columns.indexOf('volume');
    expect(fs.knowsStream('__proto__')).toBe(true);
    expect(fs.expected(vol, '__proto__')).toBe(11);
    for (const name of ['constructor', 'toString', 'hasOwnProperty']) {
      expect(fs.knowsStream(name)).toBe(false);
      // An untrained stream is scored on all streams' scaling.
      expect(Array.from(fs.transform(unit(name, 5)))).toEqual(Array.from(fs.transform(unit('new', 5))));
    }
    expect(fs.templateText('constructor')).toBeUndefined();
  });
});
