import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../record';
import { addRecord, newUnit } from './unit';
import { positionSlot } from './slot';

const record = (body: string, params: string[], severityNumber = 9): LogRecord => ({
  stream: 'nginx.log',
  line: 1,
  timeMs: 0,
  severityNumber,
  severityText: '',
  body,
  templateId: 't1',
  template: 'GET <*> <*> <*> rt=<*>',
  params,
});

describe('numbers per endpoint', () => {
  it("keeps an access log's numbers per request path, ids masked, and failed requests' out", () => {
    const u = newUnit('nginx.log', 'w', 'window', 0, 60_000);
    addRecord(
      u,
      record('GET /api/orders/1234 HTTP/1.1 200 rt=0.150', ['/api/orders/1234', 'HTTP/1.1', '200', '0.150']),
      0,
    );
    addRecord(
      u,
      record('GET /api/orders/99 HTTP/1.1 200 rt=0.050', ['/api/orders/99', 'HTTP/1.1', '200', '0.050']),
      0,
    );
    addRecord(
      u,
      record('GET /api/orders/7 HTTP/1.1 500 rt=5.000', ['/api/orders/7', 'HTTP/1.1', '500', '5.000'], 17),
      0,
    );
    expect(u.numeric.get(positionSlot('t1', 3))!.n).toBe(3);
    const route = u.numeric.get(positionSlot('t1', 3, '/api/orders/{id}'))!;
    expect(route.n).toBe(2);
    expect(route.sum).toBeCloseTo(Math.log1p(0.15) + Math.log1p(0.05), 9);
  });
});
