import type { AppPluginMeta, PluginConfigPageProps } from '@grafana/data';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { FakeBackendSrv } from '../../tests/fake/backend-srv';
import { installRuntime } from '../../tests/render';
import type { AppSettings } from './app-context';
import { AppConfig, validateUrl } from './AppConfig';

function renderConfig(jsonData: AppSettings = {}, keyConfigured = false) {
  const srv = new FakeBackendSrv();
  installRuntime(srv);
  const props = {
    plugin: { meta: { id: 'logsieve-anomaly-app', jsonData, secureJsonFields: { apiKey: keyConfigured } } },
    query: {},
  } as unknown as PluginConfigPageProps<AppPluginMeta<AppSettings>>;
  render(<AppConfig {...props} />);
  return srv;
}

describe('AppConfig', () => {
  it('validates the URL before saving', async () => {
    const srv = renderConfig();
    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(screen.getByText(/Enter the URL of the logsieve REST API/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText('logsieve URL'), { target: { value: 'ftp://x' } });
    expect(screen.getByText('Use an http:// or https:// URL')).toBeTruthy();
    expect(srv.settingsPosts).toHaveLength(0);
  });

  it('saves the URL, Prometheus uid and the API key as secureJsonData', async () => {
    const srv = renderConfig({ prometheusUid: 'prometheus-uid' });
    fireEvent.change(screen.getByLabelText('logsieve URL'), { target: { value: 'http://logsieve:8080/' } });
    fireEvent.change(screen.getByLabelText('API key'), { target: { value: 's3cret' } });
    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(await screen.findByText('Settings saved')).toBeTruthy();
    expect(srv.settingsPosts[0]).toEqual({
      enabled: true,
      pinned: true,
      jsonData: { logsieveUrl: 'http://logsieve:8080', prometheusUid: 'prometheus-uid' },
      secureJsonData: { apiKey: 's3cret' },
    });
    // The key is write-only: once saved the field shows "configured" and is emptied.
    expect(screen.getByRole('button', { name: 'Reset' })).toBeTruthy();
  });

  it('keeps a configured key unless it is reset', async () => {
    const srv = renderConfig({ logsieveUrl: 'http://a:8080' }, true);
    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(srv.settingsPosts).toHaveLength(1));
    expect((srv.settingsPosts[0] as { secureJsonData: unknown }).secureJsonData).toEqual({});
    await userEvent.click(screen.getByRole('button', { name: 'Reset' }));
    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(srv.settingsPosts).toHaveLength(2));
    expect((srv.settingsPosts[1] as { secureJsonData: unknown }).secureJsonData).toEqual({ apiKey: '' });
  });

  it('tests the connection through the plugin route and shows the health', async () => {
    const srv = renderConfig({ logsieveUrl: 'http://a:8080' }, true);
    await userEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByText('Connected to logsieve')).toBeTruthy();
    expect(srv.requests.at(-1)?.url).toBe('/api/plugin-proxy/logsieve-anomaly-app/api/v1/health');
    expect(screen.getByText(/model active \(v2\)/)).toBeTruthy();
  });

  it('reports a failed connection test', async () => {
    const srv = renderConfig({ logsieveUrl: 'http://a:8080' });
    srv.failWith = 502;
    await userEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByText('Connection failed: logsieve service is not reachable')).toBeTruthy();
  });

  it('accepts only a service root URL', () => {
    expect(validateUrl('http://logsieve:8080')).toBeNull();
    expect(validateUrl('https://logsieve.example/')).toBeNull();
    expect(validateUrl('http://logsieve:8080/api/v1')).toMatch(/without a path/);
    expect(validateUrl('not a url')).toBe('Not a valid URL');
  });
});
