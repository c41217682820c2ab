import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderPage } from '../../tests/render';
import { Templates } from './Templates';

describe('Templates', () => {
  it('lists templates largest first with counts and highlights new ones', async () => {
    const { srv } = renderPage(<Templates />);
    const table = await screen.findByRole('table', { name: 'Templates' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(srv.state.templates.length);
    const counts = rows.map((r) => Number(r.children[2].textContent!.replace(/,/g, '')));
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    const fresh = rows.filter((r) => r.hasAttribute('data-new'));
    expect(fresh).toHaveLength(srv.state.templates.filter((t) => t.isNew).length);
    expect(within(fresh[0]).getByText('new since model')).toBeTruthy();
  });

  it('searches and filters to new templates through the API', async () => {
    const { srv } = renderPage(<Templates />);
    await screen.findByRole('table', { name: 'Templates' });
    fireEvent.change(screen.getByLabelText('Search templates'), { target: { value: 'logged in' } });
    await waitFor(() =>
      expect(srv.calls('/templates').at(-1)?.params).toMatchObject({ search: 'logged in' }),
    );
    await waitFor(() =>
      expect(within(screen.getByRole('table', { name: 'Templates' })).getAllByRole('row')).toHaveLength(4),
    );
    await userEvent.click(screen.getByLabelText('Only new'));
    await waitFor(() => expect(srv.calls('/templates').at(-1)?.params).toMatchObject({ onlyNew: true }));
    expect(await screen.findByText('No templates')).toBeTruthy();
  });

  it('shows the service-down state', async () => {
    const { srv } = renderPage(<Templates />);
    srv.failWith = 504;
    expect((await screen.findAllByText('logsieve service is not reachable')).length).toBeGreaterThan(0);
  });
});
