import { describe, expect, it } from 'vitest';
import { createStreamDecoder } from './stream-decoder';
import { parseLogfmt } from './logfmt-format';

// Found by the service fuzz test: one 64 KB line without `=` took the logfmt parser seconds
// (a global regex retried at every position), stalling the event loop and /healthz with it.
describe('logfmt on long lines that are not logfmt', () => {
  const limit = 65_536;
  const lines = {
    letters: 'x'.repeat(limit),
    'pairs, then letters': `a=1 b=2 ${'x'.repeat(limit - 8)}`,
    'blanks, then a word': `${' '.repeat(limit - 1)}x`,
    'unterminated quotes': 'a=" '.repeat(limit / 4),
  };

  it.each(Object.entries(lines))('gives up on %s within milliseconds', (_, line) => {
    const t0 = performance.now();
    expect(parseLogfmt(line)).toBeNull();
    createStreamDecoder('s').decode(line, 1);
    expect(performance.now() - t0).toBeLessThan(250);
  });

  it('still reads pairs that follow each other without blanks, and a value holding `=`', () => {
    expect([...parseLogfmt('a="x"b=2 c=k=v')!]).toEqual([
      ['a', 'x'],
      ['b', '2'],
      ['c', 'k=v'],
    ]);
  });
});
