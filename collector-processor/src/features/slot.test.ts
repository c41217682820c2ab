import { describe, expect, it } from 'vitest';
import {
  fieldSlot,
  isCounter,
  isFieldSlot,
  isRouteSlot,
  positionSlot,
  requestRoute,
  slotInfo,
  slotTemplate,
} from './slot';

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
    expect(slotInfo(positionSlot('a1', 1, '/api/orders/{id}'), 'GET <*> rt=<*>')).toEqual({
      name: 'rt',
      suffix: '',
      route: '/api/orders/{id}',
    });
    expect(isRouteSlot(positionSlot('a1', 1, '/x'))).toBe(true);
    expect(isRouteSlot(positionSlot('a1', 1))).toBe(false);
  });

  it("reads a request line's endpoint, ids masked, and nothing from other paths", () => {
    expect(requestRoute('GET /api/orders/1234?expand=1 HTTP/1.1 200 rt=0.150')).toBe('/api/orders/{id}');
    expect(requestRoute('DELETE /v1/users/3f2a9c1e-77aa-4b1c-9d1e-0a1b2c3d4e5f/keys/deadbeef01 HTTP/2')).toBe(
      '/v1/users/{id}/keys/{id}',
    );
    expect(requestRoute('GET /static/app.js HTTP/1.1 200')).toBe('/static/app.js');
    // A file or an address is no endpoint.
    expect(
      requestRoute('Receiving block blk_1 src: /10.251.1.2:50010 dest: /10.251.3.4:50010'),
    ).toBeUndefined();
    expect(requestRoute('allocateBlock: /user/root/_temporary/part-00001')).toBeUndefined();
    expect(requestRoute(`GET /${'x'.repeat(80)} HTTP/1.1`)).toBeUndefined();
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
