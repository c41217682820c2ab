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

describe('keyed sequences', () => {
  const line = (templateId: string, params: string[]): LogRecord => ({
    ...record('', params),
    templateId,
    body: `${templateId} ${params.join(' ')}`,
  });

  it("follows each identifier's steps in a window, never a plain number, an address or a version", () => {
    const u = newUnit('worker.log', 'w', 'window', 0, 60_000);
    addRecord(u, line('reserve', ['o-52602:', '3']), 0);
    addRecord(u, line('reserve', ['o-52603:', '12000']), 0);
    addRecord(u, line('capture', ['o-52602:', '45.51']), 0);
    addRecord(u, line('sync', ['12000', '10.0.0.12', '2.4.0']), 0);
    expect([...u.keyed]).toEqual([
      ['o-52602', ['reserve', 'capture']],
      ['o-52603', ['reserve']],
    ]);
    const s = newUnit('hdfs.log', 'blk_1', 'session', 0);
    addRecord(s, line('receive', ['blk_1073741825']), 0);
    expect(s.keyed.size).toBe(0);
  });
});
