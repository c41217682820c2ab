import { locationService } from '@grafana/runtime';
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderPage } from '../../tests/render';
import { Overview, rangeFromUrl } from './Overview';

describe('Overview', () => {
  it('shows the score graph, anomalies in range, noisiest streams and new templates', async () => {
    const { srv } = renderPage(<Overview />, { path: '/a/logsieve-anomaly-app/overview?from=now-7d&to=now' });
    expect(await screen.findByRole('img', { name: 'Anomaly score over time' })).toBeTruthy();
    expect(await screen.findByText('36 anomalies')).toBeTruthy();
    const streams = screen.getByText('Noisiest streams').parentElement!;
    expect(within(streams).getAllByRole('row')).toHaveLength(4);
    // Late lines per stream, as GET /api/v1/streams reports them.
    const payments = within(streams).getByText('payments').closest('tr')!;
    expect(within(payments).getByText('42')).toBeTruthy();
    expect(await screen.findAllByText('new')).toHaveLength(3);
    const query = srv.calls('/anomalies')[0];
    expect(Date.parse(String(query.params?.to)) - Date.parse(String(query.params?.from))).toBeCloseTo(
      7 * 24 * 3600_000,
      -4,
    );
    expect(srv.requests.find((r) => r.url === '/api/ds/query')).toBeTruthy();
  });

  it('keeps the stream filter in the URL and queries with it', async () => {
    const { srv } = renderPage(<Overview />, {
      path: '/a/logsieve-anomaly-app/overview?from=now-7d&stream=payments',
    });
    await screen.findByText('12 anomalies');
    expect(srv.calls('/anomalies')[0].params).toMatchObject({ stream: 'payments' });
    const prom = srv.requests.find((r) => r.url === '/api/ds/query')!.data as {
      queries: Array<{ expr: string }>;
    };
    expect(prom.queries[0].expr).toContain('stream="payments"');
    locationService.partial({ stream: 'auth' });
    await waitFor(() => expect(srv.calls('/anomalies').at(-1)?.params).toMatchObject({ stream: 'auth' }));
  });

  it('asks for a Prometheus data source when none is configured', async () => {
    renderPage(<Overview />, { settings: { logsieveUrl: 'http://x' } });
    expect(await screen.findByText('No Prometheus data source')).toBeTruthy();
  });

  it('says the service is down when the proxy answers 502', async () => {
    const { srv } = renderPage(<Overview />);
    srv.failWith = 502;
    expect((await screen.findAllByText('logsieve service is not reachable')).length).toBeGreaterThan(0);
  });

  it('parses URL ranges in Grafana syntax and epoch ms, falling back to the last 6 h', () => {
    const r = rangeFromUrl({ from: '1000', to: '5000' });
    expect([r.from.valueOf(), r.to.valueOf()]).toEqual([1000, 5000]);
    const d = rangeFromUrl({ from: 'garbage' });
    expect(d.to.valueOf() - d.from.valueOf()).toBeCloseTo(6 * 3600_000, -3);
  });
});
