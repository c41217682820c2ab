import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderPage } from '../../tests/render';
import { Models } from './Models';

describe('Models', () => {
  it('lists versions with training stats, evaluation and the active badge', async () => {
    renderPage(<Models />);
    const table = await screen.findByRole('table', { name: 'Model versions' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(within(rows[0]).getByText('active')).toBeTruthy();
    expect(rows[0].textContent).toContain('1,440 units');
    expect(rows[0].textContent).toContain('lof: 0.0009');
    expect(rows[1].textContent).toContain('not evaluated');
    expect(within(rows[0]).queryByRole('button', { name: 'Activate' })).toBeNull();
  });

  it('activates a version only after confirmation', async () => {
    const { srv } = renderPage(<Models />);
    const table = await screen.findByRole('table', { name: 'Model versions' });
    await userEvent.click(within(table).getByRole('button', { name: 'Activate' }));
    expect(await screen.findByText('Score all streams with v1 from now on?')).toBeTruthy();
    expect(srv.calls('/models/v1/activate')).toHaveLength(0);
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Activate' }));
    expect(await screen.findByText('Activated v1')).toBeTruthy();
    expect(srv.state.models.find((m) => m.active)?.version).toBe('v1');
  });

  it('cancelling a confirmation sends nothing', async () => {
    const { srv } = renderPage(<Models />);
    await screen.findByRole('table', { name: 'Model versions' });
    await userEvent.click(screen.getByRole('button', { name: 'Retrain' }));
    await userEvent.click(await screen.findByRole('button', { name: 'Cancel' }));
    expect(srv.calls('/models/retrain')).toHaveLength(0);
  });

  it('rolls back and retrains after confirmation', async () => {
    const { srv } = renderPage(<Models />);
    await screen.findByRole('table', { name: 'Model versions' });
    await userEvent.click(screen.getByRole('button', { name: 'Roll back' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Roll back' }));
    expect(await screen.findByText('Rolled back to v1')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Retrain' }));
    await userEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Retrain' }));
    expect(await screen.findByText('Retraining started (job job-1, queued)')).toBeTruthy();
    await waitFor(() => expect(srv.calls('/models/retrain', 'POST')).toHaveLength(1));
  });

  it('shows "no permission" when an admin action is refused', async () => {
    const { srv } = renderPage(<Models />);
    await screen.findByRole('table', { name: 'Model versions' });
    srv.failWith = 403;
    await userEvent.click(screen.getByRole('button', { name: 'Retrain' }));
    await userEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Retrain' }));
    expect(await screen.findByText('No permission')).toBeTruthy();
  });

  it('explains an empty model list', async () => {
    const { srv } = renderPage(<Models />);
    srv.state.models = [];
    expect(await screen.findByText('No model yet')).toBeTruthy();
  });
});
