import { describe, expect, it } from 'vitest';
import { flatJson, MAX_VALUE_DEPTH, safeValue } from './safe-value';

describe('safeValue', () => {
  it('copies a JSON value with safe text, prototype-less objects and bounded depth', () => {
    const v = safeValue({ 'a\u0000': [1, 'x\udc00', { __proto__: null, ok: true }], n: null }) as Record<
      string,
      unknown
    >;
    expect(Object.getPrototypeOf(v)).toBeNull();
    expect(JSON.parse(JSON.stringify(v))).toEqual({ 'a\ufffd': [1, 'x\ufffd', { ok: true }], n: null });

    let deep: unknown = { end: 'x' };
    for (let i = 0; i < 100_000; i++) deep = i % 2 ? [deep] : { d: deep };
    let out = safeValue(deep);
    let depth = 1;
    while (typeof out === 'object' && out !== null) {
      out = Array.isArray(out) ? out[0] : (out as Record<string, unknown>)['d'];
      depth++;
    }
    expect(depth).toBe(MAX_VALUE_DEPTH + 1);
    expect(typeof out).toBe('string');
  });

  it('flattens with the same text as JSON.stringify, at any depth', () => {
    const samples = [{ a: [1, 'two', null, { b: false }], c: {}, d: [], e: 'q"\n' }, [], 'x', 3, null];
    for (const s of samples) expect(flatJson(s)).toBe(JSON.stringify(s));
    expect(flatJson({ u: undefined, a: [undefined] })).toBe(JSON.stringify({ u: undefined, a: [undefined] }));
    const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    expect(flatJson(JSON.parse(deep))).toBe(deep);
  });
});
