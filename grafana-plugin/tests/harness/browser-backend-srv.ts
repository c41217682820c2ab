// Grafana's backendSrv, as far as the app uses it, over window.fetch: same-origin calls that the
// harness server answers the way Grafana's server would (plugin proxy, /api/ds/query, settings).
import type { BackendSrvRequest, FetchResponse } from '@grafana/runtime';
import { Observable } from 'rxjs';

function withParams(url: string, params?: Record<string, unknown>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined && v !== null) qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${url}${url.includes('?') ? '&' : '?'}${s}` : url;
}

export class BrowserBackendSrv {
  fetch<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
    return new Observable<FetchResponse<T>>((sub) => {
      const abort = new AbortController();
      const method = (options.method ?? 'GET').toUpperCase();
      const hasBody = options.data !== undefined && method !== 'GET';
      fetch(withParams(options.url, options.params), {
        method,
        signal: abort.signal,
        headers: hasBody ? { 'Content-Type': 'application/json' } : undefined,
        body: hasBody ? JSON.stringify(options.data) : undefined,
      })
        .then(async (res) => {
          const text = await res.text();
          let data: unknown = text;
          try {
            data = text ? JSON.parse(text) : undefined;
          } catch {
            // Not JSON (a proxy's HTML error page): keep the text.
          }
          if (!res.ok) {
            sub.error({ status: res.status, statusText: res.statusText, data, config: options });
            return;
          }
          sub.next({
            data: data as T,
            status: res.status,
            statusText: res.statusText,
            ok: true,
            headers: res.headers,
            redirected: res.redirected,
            type: res.type,
            url: res.url,
            config: options,
          });
          sub.complete();
        })
        .catch((err: unknown) => {
          if (!abort.signal.aborted)
            sub.error({ status: 0, statusText: String(err), data: undefined, config: options });
        });
      return () => abort.abort();
    });
  }
}
