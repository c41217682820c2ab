import { describe, expect, it } from 'vitest';
import { heldOutSize } from './trainer';

describe('heldOutSize', () => {
  it('holds back a fifth when that resolves the false-alarm rate', () => {
    expect(heldOutSize(50_400, 0.001)).toBe(10_080);
    expect(heldOutSize(1000, 0.01)).toBe(200);
  });

  it('grows the held-back set to 1/rate - 1 units, so a p-value can reach the rate', () => {
    const n = heldOutSize(4855, 0.001);
    expect(n).toBe(999);
    expect(1 / (n + 1)).toBeLessThanOrEqual(0.001);
  });

  it('keeps a fifth (at least five) when even half the units could not resolve the rate', () => {
    expect(heldOutSize(1997, 0.001)).toBe(399);
    expect(heldOutSize(1998, 0.001)).toBe(999);
    expect(heldOutSize(480, 0.001)).toBe(96);
    expect(heldOutSize(12, 0.001)).toBe(5);
  });
});
