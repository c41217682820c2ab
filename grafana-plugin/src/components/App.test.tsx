import type { AppRootProps } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import { act, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { FakeBackendSrv } from '../../tests/fake/backend-srv';
import { installRuntime } from '../../tests/render';
import { App, routeOf } from './App';
import type { AppSettings } from './app-context';

function renderApp(path: string, jsonData: AppSettings = { logsieveUrl: 'http://logsieve:8080' }) {
  const srv = new FakeBackendSrv();
  installRuntime(srv);
  locationService.push(path);
  const props = {
    meta: { id: 'logsieve-anomaly-app', jsonData },
    basename: '/a/logsieve-anomaly-app',
    path,
    query: {},
  };
  render(<App {...(props as unknown as AppRootProps<AppSettings>)} />);
  return srv;
}

describe('App', () => {
  it('maps paths under /a/<id>/ to a page and sub path', () => {
    expect(routeOf('/a/logsieve-anomaly-app')).toEqual({ page: 'overview', sub: undefined });
    expect(routeOf('/a/logsieve-anomaly-app/anomalies/a%2F1')).toEqual({ page: 'anomalies', sub: 'a/1' });
  });

  it('routes to the page in the URL and follows navigation', async () => {
    renderApp('/a/logsieve-anomaly-app/models');
    expect(await screen.findByRole('table', { name: 'Model versions' })).toBeTruthy();
    act(() => locationService.push('/a/logsieve-anomaly-app/templates'));
    expect(await screen.findByRole('table', { name: 'Templates' })).toBeTruthy();
    act(() => locationService.push('/a/logsieve-anomaly-app/anomalies/a002'));
    expect(await screen.findByRole('button', { name: 'Mark as false positive' })).toBeTruthy();
  });

  it('sends an unconfigured app to its configuration page', () => {
    const srv = renderApp('/a/logsieve-anomaly-app/overview', {});
    expect(screen.getByText('logsieve is not configured yet')).toBeTruthy();
    expect(screen.getByRole('link', { name: /Open configuration/ }).getAttribute('href')).toBe(
      '/plugins/logsieve-anomaly-app',
    );
    expect(srv.requests).toHaveLength(0);
  });
});
