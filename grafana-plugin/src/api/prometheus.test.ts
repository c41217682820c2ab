import { describe, expect, it } from 'vitest';
import { FakeBackendSrv } from '../../tests/fake/backend-srv';
import { framesToSeries, queryRange } from './prometheus';

describe('prometheus queries', () => {
  it('turns data frames into per-stream series, skipping null samples', () => {
    const series = framesToSeries([
      {
        schema: {
          fields: [
            { name: 'Time', type: 'time' },
            { name: 'Value', type: 'number', labels: { stream: 'a' } },
          ],
        },
        data: {
          values: [
            [1, 2, 3],
            [10, null, 30],
          ],
        },
      },
    ]);
    expect(series).toEqual([
      {
        labels: { stream: 'a' },
        points: [
          [1, 10],
          [3, 30],
        ],
      },
    ]);
  });

  it('posts a range query for the data source to /api/ds/query', async () => {
    const srv = new FakeBackendSrv();
    const series = await queryRange(srv, 'prom', 'max by (stream) (logsieve_anomaly_score)', 0, 3_600_000);
    const req = srv.requests[0];
    expect(req).toMatchObject({ method: 'POST', url: '/api/ds/query' });
    expect(req.data).toMatchObject({
      from: '0',
      to: '3600000',
      queries: [
        {
          refId: 'A',
          datasource: { type: 'prometheus', uid: 'prom' },
          expr: 'max by (stream) (logsieve_anomaly_score)',
          range: true,
        },
      ],
    });
    expect(series.map((s) => s.labels.stream).sort()).toEqual(['auth', 'checkout', 'payments']);
  });
});
