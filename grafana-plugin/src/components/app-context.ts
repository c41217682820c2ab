import { createContext, useContext } from 'react';
import type { FetchSrv, LogsieveClient } from '../api/client';

/** What the app's configuration page stores in plugin jsonData. */
export interface AppSettings {
  logsieveUrl?: string;
  prometheusUid?: string;
}

export interface AppServices {
  client: LogsieveClient;
  /** Grafana's backend service, for calls outside the logsieve API (Prometheus queries). */
  srv: FetchSrv;
  settings: AppSettings;
}

export const AppContext = createContext<AppServices | null>(null);

export function useApp(): AppServices {
  const app = useContext(AppContext);
  if (!app) throw new Error('useApp outside <AppContext.Provider>');
  return app;
}
