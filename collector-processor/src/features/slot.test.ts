import { describe, expect, it } from 'vitest';
import { fieldSlot, isCounter, isFieldSlot, positionSlot, slotInfo, slotTemplate } from './slot';

describe('parameter slots', () => {
  it('name positions and fields, per route too, and give back their template', () => {
    expect(slotTemplate(positionSlot('a1', 2))).toBe('a1');
    expect(slotTemplate(fieldSlot('a1', 'http.route#x', '/a#b'))).toBe('a1');
    expect(isFieldSlot(positionSlot('a1', 0))).toBe(false);
    expect(slotInfo(fieldSlot('a1', 'duration_ms', '/api/orders/{id}'), 'request handled')).toEqual({
      name: 'duration_ms',
      suffix: 'ms',
      route: '/api/orders/{id}',
    });
    expect(slotInfo(positionSlot('a1', 1), 'GET <*> rt=<*>').name).toBe('rt');
  });

  it('tells a counter (job numbers, pids) from a measurement that swings', () => {
    const t = Array.from({ length: 60 }, (_, i) => i * 60_000);
    expect(
      isCounter(
        t,
        t.map((_, i) => Math.log1p(1230 + 10 * i)),
      ),
    ).toBe(true);
    expect(
      isCounter(
        t,
        t.map((_, i) => Math.log1p(200 + ((i * 37) % 50))),
      ),
    ).toBe(false);
    expect(isCounter(t.slice(0, 5), [1, 2, 3, 4, 5])).toBe(false);
  });
});
