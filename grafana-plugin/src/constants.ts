export const PLUGIN_ID = 'logsieve-anomaly-app';
/** Where Grafana mounts the app's pages. */
export const APP_URL = `/a/${PLUGIN_ID}`;
/** App plugin `routes` are reached through Grafana's plugin proxy; the `api/v1` route adds the API key. */
export const API_BASE = `/api/plugin-proxy/${PLUGIN_ID}/api/v1`;
export const SETTINGS_URL = `/api/plugins/${PLUGIN_ID}/settings`;

export enum PageId {
  Overview = 'overview',
  Anomalies = 'anomalies',
  Templates = 'templates',
  Thresholds = 'thresholds',
  Models = 'models',
}

export const PAGES: { id: PageId; title: string }[] = [
  { id: PageId.Overview, title: 'Overview' },
  { id: PageId.Anomalies, title: 'Anomalies' },
  { id: PageId.Templates, title: 'Templates' },
  { id: PageId.Thresholds, title: 'Thresholds' },
  { id: PageId.Models, title: 'Models' },
];

export function pageUrl(page: PageId, sub?: string): string {
  return sub ? `${APP_URL}/${page}/${encodeURIComponent(sub)}` : `${APP_URL}/${page}`;
}
