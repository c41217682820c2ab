import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderPage } from '../../tests/render';
import { Thresholds } from './Thresholds';

async function pickScope(name: RegExp) {
  const select = screen.getByLabelText('Applies to');
  fireEvent.keyDown(select, { key: 'ArrowDown' });
  await userEvent.click(await screen.findByText(name));
}

describe('Thresholds', () => {
  it('shows the global threshold and the audit of who changed what', async () => {
    renderPage(<Thresholds />);
    expect(((await screen.findByLabelText('Minimum score')) as HTMLInputElement).value).toBe('75');
    expect((screen.getByLabelText('False alarm rate') as HTMLInputElement).value).toBe('0.001');
    const audit = await screen.findByRole('table', { name: 'Audit' });
    expect(within(audit).getByText('alice')).toBeTruthy();
    expect(within(audit).getByText('streams/payments')).toBeTruthy();
  });

  it('shows validation errors and sends nothing while the form is invalid', async () => {
    const { srv } = renderPage(<Thresholds />);
    fireEvent.change(await screen.findByLabelText('False alarm rate'), { target: { value: '0.7' } });
    fireEvent.change(screen.getByLabelText('lof weight'), { target: { value: '12' } });
    expect(screen.getByText('Must be greater than 0 and less than 0.5')).toBeTruthy();
    expect(screen.getByText('Weight from 0 to 10')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await userEvent.click(screen.getByRole('button', { name: 'Preview' }));
    expect(srv.calls('/thresholds/global', 'PUT')).toHaveLength(0);
    expect(srv.calls('/thresholds/preview', 'POST')).toHaveLength(0);
  });

  it('previews current vs proposed counts over 24 h, then saves with PUT and refreshes the audit', async () => {
    const { srv } = renderPage(<Thresholds />);
    fireEvent.change(await screen.findByLabelText('Minimum score'), { target: { value: '90' } });
    await userEvent.click(screen.getByLabelText('lstm enabled'));
    await userEvent.click(screen.getByRole('button', { name: 'Preview' }));
    const preview = await screen.findByTestId('preview');
    const sent = srv.calls('/thresholds/preview', 'POST')[0].data as {
      threshold: { minScore: number };
      hours: number;
    };
    expect(sent).toMatchObject({
      hours: 24,
      threshold: { minScore: 90, models: { lstm: { enabled: false, weight: 1 } } },
    });
    const since = Date.now() - 24 * 3600_000;
    const recent = srv.state.anomalies.filter((a) => Date.parse(a.start) >= since);
    expect(preview.textContent).toContain(
      `Current setting: ${recent.filter((a) => a.score >= 75).length} anomalies`,
    );
    expect(preview.textContent).toContain(
      `proposed: ${recent.filter((a) => a.score >= 90).length} anomalies`,
    );

    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Threshold saved')).toBeTruthy();
    expect(srv.state.global.minScore).toBe(90);
    expect(srv.state.global.models.lstm.enabled).toBe(false);
    await waitFor(() =>
      expect(within(screen.getByRole('table', { name: 'Audit' })).getAllByText('global')).toHaveLength(1),
    );
    expect(screen.getByText('minScore: 75 → 90')).toBeTruthy();
    expect(screen.getByText('models.lstm.enabled: true → false')).toBeTruthy();
  });

  it('edits a stream override and removes it', async () => {
    const { srv } = renderPage(<Thresholds />);
    await screen.findByLabelText('Minimum score');
    await pickScope(/payments \(override\)/);
    await waitFor(() =>
      expect((screen.getByLabelText('Minimum score') as HTMLInputElement).value).toBe('85'),
    );
    fireEvent.change(screen.getByLabelText('Minimum score'), { target: { value: '88' } });
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(srv.state.streams.payments.minScore).toBe(88));
    expect(srv.state.global.minScore).toBe(75);
    await userEvent.click(screen.getByRole('button', { name: /Remove override/ }));
    await waitFor(() => expect(srv.state.streams.payments).toBeUndefined());
    expect(srv.calls('/thresholds/streams/payments', 'DELETE')).toHaveLength(1);
  });

  it('shows the service rejection of a save (no permission)', async () => {
    const { srv } = renderPage(<Thresholds />);
    fireEvent.change(await screen.findByLabelText('Minimum score'), { target: { value: '80' } });
    srv.failWith = 403;
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('No permission')).toBeTruthy();
    expect(screen.queryByText('Threshold saved')).toBeNull();
  });
});
