// Mounts the app's root page and config page the way Grafana does, with Grafana's theme and the
// runtime services set through @grafana/runtime's own setters.
import {
  createTheme,
  PluginType,
  ThemeContext,
  type AppPluginMeta,
  type DataSourceInstanceSettings,
} from '@grafana/data';
import {
  locationService,
  setBackendSrv,
  setDataSourceSrv,
  type BackendSrv,
  type DataSourceSrv,
} from '@grafana/runtime';
import { GlobalStyles } from '@grafana/ui';
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { AppSettings } from '../../src/components/app-context';
import { APP_URL, PAGES, PLUGIN_ID, SETTINGS_URL } from '../../src/constants';
import { plugin } from '../../src/module';
import { BrowserBackendSrv } from './browser-backend-srv';

const prometheus = {
  uid: 'prometheus',
  name: 'Prometheus',
  type: 'prometheus',
  access: 'proxy',
  readOnly: true,
  jsonData: {},
  meta: {
    id: 'prometheus',
    name: 'Prometheus',
    type: 'datasource',
    info: { logos: { small: '' } },
    metrics: true,
  },
} as unknown as DataSourceInstanceSettings;

setBackendSrv(new BrowserBackendSrv() as unknown as BackendSrv);
setDataSourceSrv({
  getList: (f?: { type?: string; pluginId?: string }) =>
    [prometheus].filter((d) => !(f?.type ?? f?.pluginId) || d.type === (f?.type ?? f?.pluginId)),
  getInstanceSettings: (ref: unknown) =>
    (typeof ref === 'string' ? ref : (ref as { uid?: string } | null)?.uid) === prometheus.uid
      ? prometheus
      : undefined,
  get: async () => {
    throw new Error('harness: no data source instances');
  },
  reload: async () => {},
  registerRuntimeDataSource: () => {},
} as unknown as DataSourceSrv);

const theme = createTheme({ colors: { mode: 'dark' } });

function Nav({ pathname }: { pathname: string }) {
  const links = [
    ...PAGES.map((p) => ({ title: p.title, href: `${APP_URL}/${p.id}` })),
    { title: 'Configuration', href: `/plugins/${PLUGIN_ID}` },
  ];
  return (
    <nav
      style={{
        display: 'flex',
        gap: 16,
        padding: '12px 24px',
        borderBottom: `1px solid ${theme.colors.border.weak}`,
        background: theme.colors.background.primary,
      }}
    >
      <strong style={{ marginRight: 16 }}>logsieve</strong>
      {links.map((l) => (
        <a
          key={l.href}
          href={l.href}
          style={{
            color: pathname.startsWith(l.href) ? theme.colors.text.primary : theme.colors.text.secondary,
          }}
          onClick={(e) => {
            e.preventDefault();
            locationService.push(l.href);
          }}
        >
          {l.title}
        </a>
      ))}
    </nav>
  );
}

function Harness() {
  const [meta, setMeta] = useState<AppPluginMeta<AppSettings> | null>(null);
  const [pathname, setPathname] = useState(locationService.getLocation().pathname);
  useEffect(
    () => locationService.getHistory().listen((l: { pathname: string }) => setPathname(l.pathname)),
    [],
  );
  useEffect(() => {
    fetch(SETTINGS_URL)
      .then((r) => r.json())
      .then((s) =>
        setMeta({
          id: PLUGIN_ID,
          name: 'logsieve',
          type: PluginType.app,
          enabled: true,
          ...s,
        } as AppPluginMeta<AppSettings>),
      );
  }, []);
  if (!meta) return null;
  plugin.meta = meta;
  const Root = plugin.root!;
  const Config = plugin.configPages![0].body;
  return (
    <ThemeContext.Provider value={theme}>
      <GlobalStyles />
      <Nav pathname={pathname} />
      <main style={{ padding: 24 }}>
        {pathname.startsWith('/plugins/') ? (
          <Config plugin={plugin} query={{}} />
        ) : (
          <Root meta={meta} basename={APP_URL} path={pathname} query={{}} onNavChanged={() => {}} />
        )}
      </main>
    </ThemeContext.Provider>
  );
}

createRoot(document.getElementById('root')!).render(<Harness />);
