import { describe, expect, it } from 'vitest';
import { decide, type LineInfo } from './baseline-script';
import { falseAlarms, type Label } from './core';

const line = (stream: string, template: string): LineInfo => ({ stream, timeMs: 0, template, raw: '' });
const window = (stream: string, counts: Record<string, number>) =>
  Object.entries(counts).flatMap(([t, n]) => Array.from({ length: n }, () => line(stream, t)));

function training(): Map<string, LineInfo[]> {
  const m = new Map<string, LineInfo[]>();
  // 50 windows of a busy stream: template a 20-24 a window, b 0-1.
  for (let i = 0; i < 50; i++) m.set(`s\tw${i}`, window('s', { a: 20 + (i % 5), b: i % 2 }));
  return m;
}

describe('reference script', () => {
  it('flags a never-seen template, a count surge and a busy stream gone quiet, and nothing ordinary', () => {
    const test = new Map<string, LineInfo[]>([
      ['s\tordinary', window('s', { a: 23, b: 1 })],
      ['s\tnovel', window('s', { a: 22, c: 1 })],
      ['s\tsurge', window('s', { a: 22, b: 12 })],
      ['s\tquiet', window('s', { a: 3 })],
      ['s\tempty', []],
    ]);
    const v = decide(training(), test, true);
    expect(Object.fromEntries(v)).toEqual({
      's\tordinary': false,
      's\tnovel': true,
      's\tsurge': true,
      's\tquiet': true,
      's\tempty': true,
    });
  });

  it('does not apply the quiet-stream rule to sessions', () => {
    const v = decide(training(), new Map([['s\tquiet', window('s', { a: 3 })]]), false);
    expect(v.get('s\tquiet')).toBe(false);
  });

  it('needs a z-score above 6: seven extra lines of a template that never varied', () => {
    const train = new Map([...Array(30).keys()].map((i) => [`s\tw${i}`, window('s', { a: 5 })]));
    const v = decide(
      train,
      new Map([
        ['s\tsix', window('s', { a: 11 })],
        ['s\tseven', window('s', { a: 12 })],
      ]),
      false,
    );
    expect(v.get('s\tsix')).toBe(false);
    expect(v.get('s\tseven')).toBe(true);
  });
});

describe('realised false-alarm rate', () => {
  it('counts only normal units, per stream', () => {
    const labels = new Map<string, Label>([
      ['a1', { anomalous: false, stream: 'a' }],
      ['a2', { anomalous: false, stream: 'a' }],
      ['a3', { anomalous: true, stream: 'a' }],
      ['b1', { anomalous: false, stream: 'b' }],
    ]);
    const r = falseAlarms(labels, (k) => k === 'a1' || k === 'a3');
    expect(r.all).toEqual({ normal: 3, flagged: 1, rate: 1 / 3 });
    expect(r.byStream.a).toEqual({ normal: 2, flagged: 1, rate: 0.5 });
    expect(r.byStream.b).toEqual({ normal: 1, flagged: 0, rate: 0 });
  });
});
