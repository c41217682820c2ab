import { describe, it, expect } from 'vitest';
import { LineSplitter } from './line-splitter';

function split(chunks: string[], max?: number): { lines: string[]; truncated: number } {
  const s = new LineSplitter(max);
  const lines: string[] = [];
  for (const c of chunks) s.push(c, lines);
  s.end(lines);
  return { lines, truncated: s.truncated };
}

describe('LineSplitter', () => {
  it('splits LF and CRLF, keeps empty lines, drops no final line', () => {
    expect(split(['a\nb\r\n\nc']).lines).toEqual(['a', 'b', '', 'c']);
    expect(split(['a\n']).lines).toEqual(['a']);
    expect(split(['']).lines).toEqual([]);
  });

  it('joins lines cut across chunks, including a CR before the LF of the next chunk', () => {
    expect(split(['ab', 'c\r', '\nd', 'e\n']).lines).toEqual(['abc', 'de']);
  });

  it('truncates over-long lines and counts them', () => {
    const { lines, truncated } = split(['x'.repeat(25), '\nshort\n', 'y'.repeat(12)], 10);
    expect(lines).toEqual(['x'.repeat(10), 'short', 'y'.repeat(10)]);
    expect(truncated).toBe(2);
    expect(split(['z'.repeat(30) + '\nok'], 10)).toEqual({ lines: ['z'.repeat(10), 'ok'], truncated: 1 });
  });
});
