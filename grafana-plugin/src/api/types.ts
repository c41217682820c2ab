// Mirrors docs/rest-api.md (the service's v1 contract); keep in step with it.
export type ModelName = 'isolation_forest' | 'one_class_svm' | 'lof' | 'autoencoder' | 'lstm';
export const MODEL_NAMES: ModelName[] = ['isolation_forest', 'one_class_svm', 'lof', 'autoencoder', 'lstm'];
export type Severity = 'info' | 'warning' | 'critical';
export type FeedbackLabel = 'false_positive' | 'true_positive';

export interface Anomaly {
  id: string;
  stream: string;
  unit: string;
  unitKind: 'window' | 'session';
  start: string;
  end: string;
  score: number;
  severity: Severity;
  models: Record<ModelName, number>;
  explanation: {
    summary: string;
    topTemplates: {
      templateId: string;
      template: string;
      count: number;
      expected: number;
      contribution: number;
    }[];
    topFeatures: { feature: string; value: number; expected: number; contribution: number }[];
    unexpectedEvents: { templateId: string; template: string; probability: number; line?: string }[];
    drivers?: { rule: string; score: number; text: string }[]; // rule detectors' findings, strongest first
  };
  sampleLines: string[];
  traceIds: string[];
  modelVersion: string;
  createdAt: string;
  feedback: null | { label: FeedbackLabel; comment?: string; actor: string; at: string };
}

export interface ModelSetting {
  enabled: boolean;
  weight: number;
}
export interface Threshold {
  falseAlarmRate: number;
  minScore: number;
  models: Record<ModelName, ModelSetting>;
}
export interface Thresholds {
  global: Threshold;
  streams: Record<string, Threshold>;
}
export interface ThresholdPreview {
  from: string;
  to: string;
  units: number;
  current: number;
  proposed: number;
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
export interface StreamInfo {
  stream: string;
  records: number;
  anomalies: number;
  templates: number;
  lastSeen: string;
  /** Score of the stream's latest anomaly; null while it has none (docs/rest-api.md). */
  score: number | null;
  /** Records that came after their window had closed, since the answering replica started. */
  late: number;
}
export interface ModelVersion {
  version: string;
  createdAt: string;
  active: boolean;
  trainingStats: { units: number; lines: number; templates: number; streams: number; seconds: number };
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
export interface Page<T> {
  items: T[];
  total: number;
}
export interface AnomalyQuery {
  stream?: string;
  from?: string;
  to?: string;
  minScore?: number;
  severity?: Severity;
  limit?: number;
  offset?: number;
}
export interface TemplateQuery {
  stream?: string;
  search?: string;
  onlyNew?: boolean;
  limit?: number;
  offset?: number;
}
