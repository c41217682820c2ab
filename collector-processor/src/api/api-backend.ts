import type { AnomalyEvent } from '../anomaly-event';
import type {
  AuditEntry,
  ModelVersion,
  Page,
  StreamSummary as StoredStreamSummary,
  TemplateInfo,
} from '../store/storage';
import type { AnomalyQuery, FeedbackBody, PreviewBody, TemplateQuery, Threshold } from './schemas';

// The API serves storage's shapes as they are, a stream's with what the live pipeline adds.
export type { AuditEntry, ModelVersion, Page, TemplateInfo };

export interface StreamSummary extends StoredStreamSummary {
  /** Records that came after their window had closed, since this replica started (in no scored window). */
  late: number;
}

export interface Health {
  status: 'ok' | 'degraded';
  version: string;
  ready: boolean;
  model: {
    state: 'none' | 'collecting' | 'training' | 'active';
    version: string | null;
    baselineProgress: number;
  };
  storage: string;
  uptimeSeconds: number;
}

export interface ThresholdPreview {
  from: string;
  to: string;
  units: number;
  current: number;
  proposed: number;
}

/** What the REST API needs from the running service; `serve` implements it over storage and the pipeline. */
export interface ApiBackend {
  health(): Promise<Health>;
  readiness(): { ready: boolean; reason?: string };
  listAnomalies(q: AnomalyQuery): Promise<Page<AnomalyEvent>>;
  getAnomaly(id: string): Promise<AnomalyEvent | null>;
  setFeedback(id: string, body: FeedbackBody, actor: string): Promise<AnomalyEvent | null>;
  clearFeedback(id: string, actor: string): Promise<AnomalyEvent | null>;
  listStreams(): Promise<{ items: StreamSummary[] }>;
  listTemplates(q: TemplateQuery): Promise<Page<TemplateInfo>>;
  getThresholds(): Promise<{ global: Threshold; streams: Record<string, Threshold> }>;
  putGlobalThreshold(t: Threshold, actor: string): Promise<Threshold>;
  putStreamThreshold(stream: string, t: Threshold, actor: string): Promise<Threshold>;
  deleteStreamThreshold(stream: string, actor: string): Promise<boolean>;
  previewThreshold(body: PreviewBody): Promise<ThresholdPreview>;
  listModels(): Promise<{ active: string | null; items: ModelVersion[] }>;
  activateModel(version: string, actor: string): Promise<ModelVersion | null>;
  rollbackModel(actor: string): Promise<ModelVersion | null>;
  retrain(actor: string): Promise<{ jobId: string; state: string }>;
  listAudit(q: { limit: number; offset: number }): Promise<Page<AuditEntry>>;
}
