import type { AnomalyEvent } from '../anomaly-event';
import type { AnomalyQuery, FeedbackBody, PreviewBody, TemplateQuery, Threshold } from './schemas';

/** What the REST API needs from the running service; `serve` implements it over storage and the pipeline. */
export interface Page<T> {
  items: T[];
  total: number;
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

export interface StreamSummary {
  stream: string;
  records: number;
  anomalies: number;
  templates: number;
  lastSeen: string | null;
  score: number | null;
}

export interface TemplateInfo {
  id: string;
  stream: string;
  template: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
  example: string;
  isNew: boolean;
}

export interface ModelVersion {
  version: string;
  createdAt: string;
  active: boolean;
  trainingStats: Record<string, number>;
  evaluation: Record<string, number> | null;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
}

export interface ThresholdPreview {
  from: string;
  to: string;
  units: number;
  current: number;
  proposed: number;
}

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
