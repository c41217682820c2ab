import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderPage } from '../../tests/render';
import { AnomalyDetail } from './AnomalyDetail';

describe('AnomalyDetail', () => {
  it('shows the explanation: per-model scores, templates, features, unexpected events and sample lines', async () => {
    const { srv } = renderPage(<AnomalyDetail id="a004" />);
    const a = srv.state.anomalies.find((x) => x.id === 'a004')!;
    expect(await screen.findByText(a.explanation.summary)).toBeTruthy();
    expect(screen.getByRole('table', { name: 'Per-model scores' }).textContent).toContain(
      `lstm${a.models.lstm.toFixed(0)}`,
    );
    expect(screen.getByText('error_rate')).toBeTruthy();
    expect(screen.getByText('4.0e-4')).toBeTruthy();
    expect(screen.getByText(/request 8812 failed/)).toBeTruthy();
  });

  it('marks a false positive through the feedback API and undoes it', async () => {
    const { srv } = renderPage(<AnomalyDetail id="a001" />);
    await userEvent.click(await screen.findByRole('button', { name: 'Mark as false positive' }));
    expect(await screen.findByText('Marked false positive by grafana-app')).toBeTruthy();
    expect(srv.calls('/anomalies/a001/feedback', 'POST')[0].data).toEqual({
      label: 'false_positive',
      comment: undefined,
    });
    expect(srv.state.anomalies.find((a) => a.id === 'a001')!.feedback?.label).toBe('false_positive');
    await userEvent.click(screen.getByRole('button', { name: 'Undo' }));
    await waitFor(() => expect(srv.calls('/anomalies/a001/feedback', 'DELETE')).toHaveLength(1));
    expect(await screen.findByRole('button', { name: 'Mark as false positive' })).toBeTruthy();
    expect(srv.state.anomalies.find((a) => a.id === 'a001')!.feedback).toBeNull();
  });

  it('links to Explore only when a Loki data source exists', async () => {
    renderPage(<AnomalyDetail id="a001" />, { dataSourceTypes: ['prometheus', 'loki'] });
    const link = await screen.findByRole('link', { name: /Logs in Explore/ });
    const panes = JSON.parse(new URL(link.getAttribute('href')!, 'http://x').searchParams.get('panes')!);
    expect(panes.a.queries[0].expr).toBe('{service_name="payments"}');
    expect(panes.a.datasource).toBe('loki-uid');
  });

  it('has no Explore link without Loki', async () => {
    renderPage(<AnomalyDetail id="a001" />);
    await screen.findByRole('button', { name: 'Mark as false positive' });
    expect(screen.queryByRole('link', { name: /Logs in Explore/ })).toBeNull();
  });

  it('shows the feedback error (403) and keeps the anomaly unmarked', async () => {
    const { srv } = renderPage(<AnomalyDetail id="a001" />);
    const button = await screen.findByRole('button', { name: 'Mark as false positive' });
    srv.failWith = 403;
    await userEvent.click(button);
    expect(await screen.findByText('No permission')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Mark as false positive' })).toBeTruthy();
  });

  it('says when the anomaly does not exist', async () => {
    renderPage(<AnomalyDetail id="nope" />);
    expect(await screen.findByText('Not found')).toBeTruthy();
  });
});
