import { describe, it, expect } from 'vitest';
import { MAX_TOKENS, maskToken, tokenCovers, tokenize } from './mask';

describe('maskToken', () => {
  it.each([
    ['12345', '<*>'],
    ['0x7f3a', '<*>'],
    ['10.251.73.220:50010', '<*>'],
    ['fe80::1ff:fe23:4567:890a', '<*>'],
    ['b9000564-fe1a-409b-b8cc-1e88b294cd1d', '<*>'],
    ['blk_-6952295868487656571', '<*>'],
    ['/var/log/messages', '<*>'],
    ['http://example.com/x', '<*>'],
    ['250ms', '<*>'],
    ['uid=0', 'uid=<*>'],
    ['size:4096', 'size:<*>'],
    ['host.example.com:8080', '<*>'],
    ['Jun', '<*>'],
    ['failed', 'failed'],
    ['user=root', 'user=root'],
    ['<*>', '<*>'],
    ['(0x0)', '(<*>)'],
    ['[173.234.31.186]', '[<*>]'],
    ['(uid=0),', '(uid=<*>),'],
    ['LOCAL(0),', '<*>,'],
    ['isOverlap:false,', 'isOverlap:<*>,'],
    ['ws=null,', 'ws=<*>,'],
    ['true', '<*>'],
    ['<1', '<*>'],
    ['<0x1f>', '<<*>>'],
    ['trueish', 'trueish'],
    ['10.100.20.250,', '<*>,'],
  ])('%s -> %s', (token, masked) => {
    expect(maskToken(token)).toBe(masked);
  });
});

describe('tokenize', () => {
  it('splits on runs of spaces and tabs', () => {
    expect(tokenize('  a\tb   c ')).toEqual(['a', 'b', 'c']);
    expect(tokenize('')).toEqual([]);
  });

  it('caps the number of tokens', () => {
    const t = tokenize('w '.repeat(1000));
    expect(t.length).toBe(MAX_TOKENS);
    expect(t[MAX_TOKENS - 1]).toBe('<*>');
  });
});

describe('tokenCovers', () => {
  it('matches equal tokens, wildcards and key=<*> over any value of that key', () => {
    expect(tokenCovers('a', 'a')).toBe(true);
    expect(tokenCovers('<*>', 'anything')).toBe(true);
    expect(tokenCovers('rhost=<*>', 'rhost=example.org')).toBe(true);
    expect(tokenCovers('(<*>)', '(abc)')).toBe(true);
    expect(tokenCovers('rhost=<*>', 'rhost=')).toBe(false);
    expect(tokenCovers('rhost=<*>', 'user=x')).toBe(false);
    expect(tokenCovers('a', 'b')).toBe(false);
  });
});
