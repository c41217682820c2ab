/** The anomaly event: what storage, Kafka, Alertmanager, OTLP and the REST API all carry. */
export const MODEL_NAMES = ['isolation_forest', 'one_class_svm', 'lof', 'autoencoder', 'lstm'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export type AnomalySeverity = 'info' | 'warning' | 'critical';

export function severityForScore(score: number): AnomalySeverity {
  if (score >= 90) return 'critical';
  if (score >= 75) return 'warning';
  return 'info';
}

export interface Explanation {
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
  /** Rule detectors' findings, strongest first: what changed, in words. */
  drivers?: { rule: string; score: number; text: string }[];
}

export interface Feedback {
  label: 'false_positive' | 'true_positive';
  comment?: string;
  actor: string;
  at: string;
}

export interface AnomalyEvent {
  id: string;
  stream: string;
  unit: string;
  unitKind: 'window' | 'session';
  start: string;
  end: string;
  score: number;
  severity: AnomalySeverity;
  models: Record<ModelName, number>;
  explanation: Explanation;
  sampleLines: string[];
  traceIds: string[];
  modelVersion: string;
  createdAt: string;
  feedback: Feedback | null;
}
