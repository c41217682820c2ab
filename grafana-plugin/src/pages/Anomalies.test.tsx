import { locationService } from '@grafana/runtime';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderPage } from '../../tests/render';
import { Anomalies, PAGE_SIZE } from './Anomalies';

describe('Anomalies', () => {
  it('lists anomalies newest first with their top template, and pages through them', async () => {
    const { srv } = renderPage(<Anomalies />, { path: '/a/logsieve-anomaly-app/anomalies' });
    expect(screen.getByText('Loading...')).toBeTruthy();
    const table = await screen.findByRole('table', { name: 'Anomalies' });
    expect(within(table).getAllByRole('row')).toHaveLength(PAGE_SIZE + 1);
    expect(screen.getByText('36 anomalies')).toBeTruthy();
    const starts = within(table)
      .getAllByRole('row')
      .slice(1)
      .map((r) => r.children[0].textContent!);
    expect(starts).toEqual([...starts].sort().reverse());
    expect(within(table).getAllByText(/request <\*> failed/).length).toBe(PAGE_SIZE);
    await userEvent.click(screen.getByRole('button', { name: '2' }));
    await waitFor(() =>
      expect(srv.calls('/anomalies').at(-1)?.params).toMatchObject({ offset: PAGE_SIZE, limit: PAGE_SIZE }),
    );
    await waitFor(() =>
      expect(within(screen.getByRole('table', { name: 'Anomalies' })).getAllByRole('row')).toHaveLength(
        36 - PAGE_SIZE + 1,
      ),
    );
  });

  it('filters by severity and minimum score, resetting to the first page', async () => {
    const { srv } = renderPage(<Anomalies />);
    await screen.findByRole('table', { name: 'Anomalies' });
    await userEvent.click(screen.getByLabelText('Critical'));
    await waitFor(() =>
      expect(srv.calls('/anomalies').at(-1)?.params).toMatchObject({ severity: 'critical', offset: 0 }),
    );
    const critical = srv.state.anomalies.filter((a) => a.severity === 'critical').length;
    expect(await screen.findByText(`${critical} anomalies`)).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Min score'), { target: { value: '95' } });
    await waitFor(() => expect(srv.calls('/anomalies').at(-1)?.params).toMatchObject({ minScore: 95 }));
  });

  it('rejects a minimum score outside 0..100 without querying it', async () => {
    const { srv } = renderPage(<Anomalies />);
    await screen.findByRole('table', { name: 'Anomalies' });
    fireEvent.change(screen.getByLabelText('Min score'), { target: { value: '140' } });
    expect(await screen.findByText('Enter a score from 0 to 100')).toBeTruthy();
    expect(srv.calls('/anomalies').some((r) => r.params?.minScore === 140)).toBe(false);
  });

  it('opens the detail view on a row click', async () => {
    renderPage(<Anomalies />);
    const table = await screen.findByRole('table', { name: 'Anomalies' });
    await userEvent.click(within(table).getAllByRole('row')[1]);
    expect(locationService.getLocation().pathname).toBe('/a/logsieve-anomaly-app/anomalies/a000');
  });

  it('shows an empty state when nothing matches', async () => {
    const { srv } = renderPage(<Anomalies />);
    srv.state.anomalies = [];
    expect(await screen.findByText('No anomalies')).toBeTruthy();
  });

  it('says "no permission" on 403', async () => {
    const { srv } = renderPage(<Anomalies />);
    srv.failWith = 403;
    expect((await screen.findAllByText('No permission')).length).toBeGreaterThan(0);
  });
});
