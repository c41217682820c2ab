import { describe, expect, it } from 'vitest';
import { safeJson, safeText } from './safe-text';

describe('safeText and safeJson', () => {
  it('replace NUL and lone surrogates by U+FFFD and keep paired ones', () => {
    expect(safeText('a\u0000b\ud800c\udc00d\ud83d\ude00e\ud83d')).toBe(
      'a\ufffdb\ufffdc\ufffdd\ud83d\ude00e\ufffd',
    );
    const plain = 'nothing to do';
    expect(safeText(plain)).toBe(plain);
  });

  it('write JSON jsonb accepts: unsafe escapes replaced, escaped backslashes left alone', () => {
    const text = safeJson({ 'k\u0000': ['\ud800', '\ud83d\ude00'], literal: '\\u0000', both: '\\\u0000' });
    expect(JSON.parse(text)).toEqual({
      'k\ufffd': ['\ufffd', '\ud83d\ude00'],
      literal: '\\u0000',
      both: '\\\ufffd',
    });
  });
});
