// Renders a page the way Grafana would: runtime services set through @grafana/runtime's own hooks,
// the app context built from a getBackendSrv-shaped fake that answers like the documented API.
import type { DataSourceInstanceSettings } from '@grafana/data';
import {
  locationService,
  setBackendSrv,
  setDataSourceSrv,
  type BackendSrv,
  type DataSourceSrv,
} from '@grafana/runtime';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { LogsieveClient } from '../src/api/client';
import { AppContext, type AppSettings } from '../src/components/app-context';
import { API_BASE } from '../src/constants';
import { FakeBackendSrv } from './fake/backend-srv';

export function fakeDataSources(types: string[]): DataSourceInstanceSettings[] {
  return types.map(
    (type) =>
      ({
        uid: `${type}-uid`,
        name: type === 'prometheus' ? 'Prometheus' : 'Loki',
        type,
        meta: { id: type, name: type, info: { logos: { small: '' } }, metrics: true, logs: type === 'loki' },
        jsonData: {},
        access: 'proxy',
        readOnly: false,
      }) as unknown as DataSourceInstanceSettings,
  );
}

export function installRuntime(srv: FakeBackendSrv, dataSourceTypes: string[] = ['prometheus']): void {
  setBackendSrv(srv as unknown as BackendSrv);
  const list = fakeDataSources(dataSourceTypes);
  setDataSourceSrv({
    getList: (filters?: { type?: string | string[]; pluginId?: string }) =>
      list.filter((d) => {
        const want = filters?.pluginId ?? filters?.type;
        return !want || (Array.isArray(want) ? want.includes(d.type) : d.type === want);
      }),
    getInstanceSettings: (ref: unknown) =>
      list.find((d) => d.uid === (typeof ref === 'string' ? ref : (ref as { uid?: string } | null)?.uid)),
    get: async () => {
      throw new Error('not used');
    },
    reload: () => {},
    registerRuntimeDataSource: () => {},
  } as unknown as DataSourceSrv);
}

export function renderPage(
  ui: ReactElement,
  {
    path = '/a/logsieve-anomaly-app/overview',
    settings = { logsieveUrl: 'http://logsieve:8080', prometheusUid: 'prometheus-uid' },
    dataSourceTypes = ['prometheus'],
  }: {
    path?: string;
    settings?: AppSettings;
    dataSourceTypes?: string[];
  } = {},
) {
  const srv = new FakeBackendSrv();
  installRuntime(srv, dataSourceTypes);
  locationService.push(path);
  const client = new LogsieveClient(srv, API_BASE);
  const result = render(<AppContext.Provider value={{ client, srv, settings }}>{ui}</AppContext.Provider>);
  return { srv, ...result };
}
