import type { AppRootProps } from '@grafana/data';
import { getBackendSrv, PluginPage } from '@grafana/runtime';
import { Alert, LinkButton } from '@grafana/ui';
import { useMemo } from 'react';
import { LogsieveClient } from '../api/client';
import { API_BASE, APP_URL, PageId, PLUGIN_ID } from '../constants';
import { AnomalyDetail } from '../pages/AnomalyDetail';
import { Anomalies } from '../pages/Anomalies';
import { Models } from '../pages/Models';
import { Overview } from '../pages/Overview';
import { Templates } from '../pages/Templates';
import { Thresholds } from '../pages/Thresholds';
import { AppContext, type AppSettings } from './app-context';
import { useLocation } from './use-location';

/** The page id and optional sub path (an anomaly id) under /a/<plugin id>/. */
export function routeOf(pathname: string): { page: string; sub?: string } {
  const rest = pathname.startsWith(APP_URL) ? pathname.slice(APP_URL.length) : '';
  const [page, sub] = rest.split('/').filter(Boolean);
  return { page: page ?? PageId.Overview, sub: sub ? decodeURIComponent(sub) : undefined };
}

export function App({ meta }: AppRootProps<AppSettings>) {
  const settings = meta.jsonData ?? {};
  const services = useMemo(() => {
    const srv = getBackendSrv();
    return { srv, client: new LogsieveClient(srv, API_BASE), settings };
  }, [settings]);
  const { pathname } = useLocation();
  const { page, sub } = routeOf(pathname);

  if (!settings.logsieveUrl) {
    return (
      <PluginPage>
        <Alert title="logsieve is not configured yet" severity="info">
          Set the logsieve URL and API key on the app&apos;s configuration page.
          <div style={{ marginTop: 8 }}>
            <LinkButton href={`/plugins/${PLUGIN_ID}`}>Open configuration</LinkButton>
          </div>
        </Alert>
      </PluginPage>
    );
  }
  return (
    <AppContext.Provider value={services}>
      {page === PageId.Anomalies && sub ? (
        <AnomalyDetail id={sub} />
      ) : page === PageId.Anomalies ? (
        <Anomalies />
      ) : page === PageId.Templates ? (
        <Templates />
      ) : page === PageId.Thresholds ? (
        <Thresholds />
      ) : page === PageId.Models ? (
        <Models />
      ) : (
        <Overview />
      )}
    </AppContext.Provider>
  );
}
