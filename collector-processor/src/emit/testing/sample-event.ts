import { severityForScore, type AnomalyEvent } from '../../anomaly-event';

/** A plausible anomaly event for sink tests. */
export function sampleEvent(
  id: string,
  stream = 'checkout',
  score = 93,
  startMs = Date.now() - 60_000,
): AnomalyEvent {
  return {
    id,
    stream,
    unit: `${new Date(startMs).toISOString()}/60s`,
    unitKind: 'window',
    start: new Date(startMs).toISOString(),
    end: new Date(startMs + 60_000).toISOString(),
    score,
    severity: severityForScore(score),
    models: { isolation_forest: 91, one_class_svm: 88, lof: 95, autoencoder: 90, lstm: 70 },
    explanation: {
      summary: `${stream}: payment errors 40x above normal`,
      topTemplates: [
        {
          templateId: 't7',
          template: 'payment <*> failed: timeout',
          count: 120,
          expected: 3,
          contribution: 0.8,
        },
      ],
      topFeatures: [],
      unexpectedEvents: [
        { templateId: 't9', template: 'circuit <*> open', probability: 0.0004, line: 'circuit pay open' },
      ],
    },
    sampleLines: [
      '2026-11-24T10:00:01Z ERROR payment 42 failed: timeout',
      '2026-11-24T10:00:02Z WARN circuit pay open',
    ],
    traceIds: ['4bf92f3577b34da6a3ce929d0e0e4736'],
    modelVersion: 'v3',
    createdAt: new Date(startMs + 61_000).toISOString(),
    feedback: null,
  };
}
