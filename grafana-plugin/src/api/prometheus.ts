import { lastValueFrom } from 'rxjs';
import type { FetchSrv } from './client';
import { toApiError } from './errors';

export interface Series {
  labels: Record<string, string>;
  /** [epoch ms, value] pairs in time order. */
  points: Array<[number, number]>;
}

interface FrameJSON {
  schema?: { fields: Array<{ name: string; type?: string; labels?: Record<string, string> }> };
  data?: { values: unknown[][] };
}
interface DsQueryResponse {
  results: Record<string, { frames?: FrameJSON[]; error?: string }>;
}

/** Grafana's data frames (time field + one number field each) to plain series. */
export function framesToSeries(frames: FrameJSON[]): Series[] {
  const out: Series[] = [];
  for (const frame of frames) {
    const fields = frame.schema?.fields ?? [];
    const values = frame.data?.values ?? [];
    const timeIdx = fields.findIndex((f) => f.type === 'time' || f.name === 'Time');
    if (timeIdx < 0) continue;
    fields.forEach((field, i) => {
      if (i === timeIdx) return;
      const times = values[timeIdx] as number[];
      const vals = values[i] as Array<number | null>;
      const points: Array<[number, number]> = [];
      times.forEach((t, j) => {
        const v = vals[j];
        if (typeof v === 'number' && Number.isFinite(v)) points.push([t, v]);
      });
      out.push({ labels: field.labels ?? {}, points });
    });
  }
  return out;
}

/**
 * A range query through Grafana's `/api/ds/query`, the route the Prometheus data source serves in
 * every Grafana >= 11 (its data-source proxy is not guaranteed for backend data sources).
 */
export async function queryRange(
  srv: FetchSrv,
  datasourceUid: string,
  expr: string,
  fromMs: number,
  toMs: number,
  maxDataPoints = 300,
): Promise<Series[]> {
  const intervalMs = Math.max(1000, Math.round((toMs - fromMs) / maxDataPoints));
  try {
    const res = await lastValueFrom(
      srv.fetch<DsQueryResponse>({
        url: '/api/ds/query',
        method: 'POST',
        showErrorAlert: false,
        data: {
          from: String(fromMs),
          to: String(toMs),
          queries: [
            {
              refId: 'A',
              datasource: { type: 'prometheus', uid: datasourceUid },
              expr,
              range: true,
              instant: false,
              intervalMs,
              maxDataPoints,
              legendFormat: '{{stream}}',
            },
          ],
        },
      }),
    );
    const result = res.data.results?.A;
    if (result?.error) throw new Error(result.error);
    return framesToSeries(result?.frames ?? []);
  } catch (err) {
    throw toApiError(err);
  }
}
