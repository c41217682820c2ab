import { describe, it, expect } from 'vitest';
import { maskTokens, tokenize } from './mask';
import { foldValueRuns } from './value-runs';

function fold(line: string): { raw: string[]; masked: string[] } {
  const raw = tokenize(line);
  return foldValueRuns(raw, maskTokens(raw));
}

describe('foldValueRuns', () => {
  it('joins a unit to the value before it', () => {
    expect(fold('lifetime <1 sec').masked).toEqual(['lifetime', '<*>']);
    expect(fold('lifetime <1 sec').raw).toEqual(['lifetime', '<1 sec']);
    expect(fold('took 3.5 s, done').masked).toEqual(['took', '<*>,', 'done']);
  });

  it('drops a parenthesised quantity into the token before it', () => {
    const f = fold('close, 1190 bytes (1.16 KB) sent, 0 bytes received');
    expect(f.masked).toEqual(['close,', '<*>', 'bytes', 'sent,', '<*>', 'bytes', 'received']);
    expect(f.raw).toEqual(['close,', '1190', 'bytes (1.16 KB)', 'sent,', '0', 'bytes', 'received']);
    expect(fold('sent 10 bytes (9 B),').masked).toEqual(['sent', '<*>', 'bytes,']);
  });

  it('keeps words after values and units after words', () => {
    expect(fold('retry 3 times').masked).toEqual(['retry', '<*>', 'times']);
    expect(fold('the s key').masked).toEqual(['the', 's', 'key']);
    const line = tokenize('nothing 1 to fold');
    expect(foldValueRuns(line, maskTokens(line)).raw).toBe(line);
  });
});
