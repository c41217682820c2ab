// A getBackendSrv()-shaped fake: records every request and answers through the in-memory API
// (logsieve routes), a synthetic Prometheus (/api/ds/query) and Grafana's plugin settings route.
import type { BackendSrvRequest, FetchResponse } from '@grafana/runtime';
import { Observable } from 'rxjs';
import { API_BASE, SETTINGS_URL } from '../../src/constants';
import { handle, seedState, type FakeState } from './logsieve-api';

export interface RecordedRequest {
  method: string;
  url: string;
  params?: Record<string, unknown>;
  data?: unknown;
}

export class FakeBackendSrv {
  readonly requests: RecordedRequest[] = [];
  state: FakeState;
  /** When set, answers this status (with an error body) instead of the API; e.g. 403 or 502. */
  failWith: number | null = null;
  settingsPosts: unknown[] = [];

  constructor(now = Date.now()) {
    this.state = seedState(now);
  }

  fetch<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
    const method = (options.method ?? 'GET').toUpperCase();
    this.requests.push({ method, url: options.url, params: options.params, data: options.data });
    return new Observable<FetchResponse<T>>((sub) => {
      // Resolve on a later tick like a real network call, so loading states render first.
      const timer = setTimeout(() => {
        const { status, body } = this.answer(method, options);
        const res = {
          data: body as T,
          status,
          statusText: String(status),
          ok: status < 400,
          headers: new Headers(),
          redirected: false,
          type: 'basic',
          url: options.url,
          config: options,
        } as FetchResponse<T>;
        if (status >= 400) sub.error({ status, data: body, statusText: String(status), config: options });
        else {
          sub.next(res);
          sub.complete();
        }
      }, 0);
      return () => clearTimeout(timer);
    });
  }

  /** Requests whose URL ends with `path` (after the API base), optionally with one method. */
  calls(path: string, method?: string): RecordedRequest[] {
    return this.requests.filter((r) => r.url === `${API_BASE}${path}` && (!method || r.method === method));
  }

  private answer(method: string, options: BackendSrvRequest): { status: number; body?: unknown } {
    if (this.failWith)
      return { status: this.failWith, body: { error: 'fake', message: `fake failure ${this.failWith}` } };
    if (options.url.startsWith(API_BASE)) {
      const query: Record<string, string> = {};
      for (const [k, v] of Object.entries(options.params ?? {})) query[k] = String(v);
      return handle(this.state, {
        method,
        path: options.url.slice(API_BASE.length),
        query,
        body: options.data,
      });
    }
    if (options.url === '/api/ds/query') return { status: 200, body: scoreFrames(this.state, options.data) };
    if (options.url === SETTINGS_URL && method === 'POST') {
      this.settingsPosts.push(options.data);
      return { status: 200, body: { message: 'Plugin settings updated' } };
    }
    return { status: 404, body: { message: `fake: no route ${method} ${options.url}` } };
  }
}

/** logsieve_anomaly_score per stream as Grafana's /api/ds/query would return it for Prometheus. */
export function scoreFrames(state: FakeState, request: unknown) {
  const { from, to } = request as { from: string; to: string };
  const start = Number(from);
  const end = Number(to);
  const step = Math.max(60_000, Math.round((end - start) / 60));
  const streams = [...new Set(state.anomalies.map((a) => a.stream))];
  const frames = streams.map((stream, s) => {
    const times: number[] = [];
    const values: number[] = [];
    for (let t = start, i = 0; t <= end; t += step, i++) {
      times.push(t);
      const hit = state.anomalies.find(
        (a) => a.stream === stream && Math.abs(Date.parse(a.start) - t) < step / 2,
      );
      values.push(hit ? hit.score : 10 + ((i * 7 + s * 13) % 25));
    }
    return {
      schema: {
        fields: [
          { name: 'Time', type: 'time' },
          { name: 'Value', type: 'number', labels: { stream, __name__: 'logsieve_anomaly_score' } },
        ],
      },
      data: { values: [times, values] },
    };
  });
  return { results: { A: { status: 200, frames } } };
}
