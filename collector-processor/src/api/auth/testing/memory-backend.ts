import type { AnomalyEvent } from '../../../anomaly-event';
import type { ApiBackend } from '../../api-backend';
import type { Threshold } from '../../schemas';

/** A model-free threshold with every detector on. */
export const testThreshold = (): Threshold => ({
  falseAlarmRate: 0.001,
  minScore: 75,
  models: {
    isolation_forest: { enabled: true, weight: 1 },
    one_class_svm: { enabled: true, weight: 1 },
    lof: { enabled: true, weight: 1 },
    autoencoder: { enabled: true, weight: 1 },
    lstm: { enabled: true, weight: 1 },
  },
});

export const testAnomaly = (id: string): AnomalyEvent => ({
  id,
  stream: 's',
  unit: 'u',
  unitKind: 'window',
  start: '',
  end: '',
  score: 80,
  severity: 'warning',
  models: { isolation_forest: 1, one_class_svm: 1, lof: 1, autoencoder: 1, lstm: 1 },
  explanation: { summary: '', topTemplates: [], topFeatures: [], unexpectedEvents: [] },
  sampleLines: [],
  traceIds: [],
  modelVersion: 'v1',
  createdAt: '',
  feedback: null,
});

/**
 * The REST API's backend held in memory, for HTTP-layer tests: one anomaly `a1`, one global
 * threshold, and `audit` lines recording who changed what.
 */
export function memoryBackend(): ApiBackend & { audit: string[] } {
  const anomalies = new Map([['a1', testAnomaly('a1')]]);
  let global = testThreshold();
  const audit: string[] = [];
  return {
    audit,
    health: async () => ({
      status: 'ok',
      version: 't',
      ready: true,
      model: { state: 'active', version: 'v1', baselineProgress: 1 },
      storage: 'memory',
      uptimeSeconds: 1,
    }),
    readiness: () => ({ ready: false, reason: 'collecting baseline' }),
    listAnomalies: async (q) => ({
      items: [...anomalies.values()].slice(q.offset, q.offset + q.limit),
      total: anomalies.size,
    }),
    getAnomaly: async (id) => anomalies.get(id) ?? null,
    setFeedback: async (id, body, actor) => {
      const a = anomalies.get(id);
      if (!a) return null;
      a.feedback = { label: body.label, actor, at: 'now' };
      audit.push(`feedback ${id} by ${actor}`);
      return a;
    },
    clearFeedback: async (id) => {
      const a = anomalies.get(id);
      if (a) a.feedback = null;
      return a ?? null;
    },
    listStreams: async () => ({ items: [] }),
    listTemplates: async () => ({ items: [], total: 0 }),
    getThresholds: async () => ({ global, streams: {} }),
    putGlobalThreshold: async (t, actor) => {
      audit.push(`threshold by ${actor}`);
      return (global = t);
    },
    putStreamThreshold: async (_s, t) => t,
    deleteStreamThreshold: async () => false,
    previewThreshold: async () => ({ from: '', to: '', units: 0, current: 0, proposed: 0 }),
    listModels: async () => ({ active: null, items: [] }),
    activateModel: async () => null,
    rollbackModel: async () => null,
    retrain: async () => ({ jobId: 'j', state: 'queued' }),
    listAudit: async () => ({ items: [], total: 0 }),
  };
}
