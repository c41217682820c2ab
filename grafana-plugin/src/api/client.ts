import type { BackendSrvRequest, FetchResponse } from '@grafana/runtime';
import { lastValueFrom, type Observable } from 'rxjs';
import { toApiError } from './errors';
import type {
  Anomaly,
  AnomalyQuery,
  AuditEntry,
  FeedbackLabel,
  Health,
  ModelVersion,
  Page,
  StreamInfo,
  TemplateInfo,
  TemplateQuery,
  Threshold,
  ThresholdPreview,
  Thresholds,
} from './types';

/** The part of Grafana's BackendSrv the client needs; tests and the browser harness supply their own. */
export interface FetchSrv {
  fetch<T>(options: BackendSrvRequest): Observable<FetchResponse<T>>;
}

type Query = Record<string, string | number | boolean | undefined>;

function withoutEmpty(q: Query): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

/** Every call the app makes to the logsieve REST API (docs/rest-api.md), through one base URL. */
export class LogsieveClient {
  constructor(
    private readonly srv: FetchSrv,
    private readonly base: string,
  ) {}

  async request<T>(
    method: string,
    path: string,
    options: { params?: Query; data?: unknown } = {},
  ): Promise<T> {
    try {
      const res = await lastValueFrom(
        this.srv.fetch<T>({
          url: `${this.base}${path}`,
          method,
          params: options.params ? withoutEmpty(options.params) : undefined,
          data: options.data,
          // Pages show their own error states; Grafana's toast would duplicate them.
          showErrorAlert: false,
          showSuccessAlert: false,
        }),
      );
      return res.data;
    } catch (err) {
      throw toApiError(err);
    }
  }

  health(): Promise<Health> {
    return this.request('GET', '/health');
  }
  anomalies(q: AnomalyQuery = {}): Promise<Page<Anomaly>> {
    return this.request('GET', '/anomalies', { params: { ...q } });
  }
  anomaly(id: string): Promise<Anomaly> {
    return this.request('GET', `/anomalies/${encodeURIComponent(id)}`);
  }
  giveFeedback(id: string, label: FeedbackLabel, comment?: string): Promise<Anomaly> {
    return this.request('POST', `/anomalies/${encodeURIComponent(id)}/feedback`, {
      data: { label, comment },
    });
  }
  undoFeedback(id: string): Promise<Anomaly> {
    return this.request('DELETE', `/anomalies/${encodeURIComponent(id)}/feedback`);
  }
  streams(): Promise<{ items: StreamInfo[] }> {
    return this.request('GET', '/streams');
  }
  templates(q: TemplateQuery = {}): Promise<Page<TemplateInfo>> {
    return this.request('GET', '/templates', { params: { ...q, onlyNew: q.onlyNew ? true : undefined } });
  }
  thresholds(): Promise<Thresholds> {
    return this.request('GET', '/thresholds');
  }
  /** `stream` undefined writes the global threshold. */
  saveThreshold(threshold: Threshold, stream?: string): Promise<Threshold> {
    const path =
      stream === undefined ? '/thresholds/global' : `/thresholds/streams/${encodeURIComponent(stream)}`;
    return this.request('PUT', path, { data: threshold });
  }
  deleteStreamThreshold(stream: string): Promise<void> {
    return this.request('DELETE', `/thresholds/streams/${encodeURIComponent(stream)}`);
  }
  previewThreshold(threshold: Threshold, stream?: string, hours = 24): Promise<ThresholdPreview> {
    return this.request('POST', '/thresholds/preview', { data: { stream, threshold, hours } });
  }
  models(): Promise<{ active: string | null; items: ModelVersion[] }> {
    return this.request('GET', '/models');
  }
  activateModel(version: string): Promise<ModelVersion> {
    return this.request('POST', `/models/${encodeURIComponent(version)}/activate`);
  }
  rollbackModel(): Promise<ModelVersion> {
    return this.request('POST', '/models/rollback');
  }
  retrain(): Promise<{ jobId: string; state: string }> {
    return this.request('POST', '/models/retrain');
  }
  audit(q: { limit?: number; offset?: number } = {}): Promise<Page<AuditEntry>> {
    return this.request('GET', '/audit', { params: q });
  }
}
