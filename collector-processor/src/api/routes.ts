import type { z } from 'zod';
import type { ApiBackend } from './api-backend';
import {
  AnomalyQuerySchema,
  FeedbackSchema,
  IdParams,
  PageQuerySchema,
  PreviewSchema,
  StreamParams,
  TemplateQuerySchema,
  ThresholdSchema,
  VersionParams,
} from './schemas';

export type Role = 'viewer' | 'editor' | 'admin';

export interface RouteInput {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  actor: string;
}

export interface RouteDef {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Fastify path syntax (`:id`); the OpenAPI document converts it to `{id}`. */
  path: string;
  /** null = no authentication (health probes, the OpenAPI document). */
  role: Role | null;
  summary: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Status of a successful answer. */
  status?: number;
  handler(b: ApiBackend, input: RouteInput): Promise<unknown>;
}

export class NotFound extends Error {}

const found = <T>(what: string, v: T | null): T => {
  if (v === null) throw new NotFound(`${what} not found`);
  return v;
};

/** Every route of the REST API in one table: the server, the OpenAPI document and the auth test all read it. */
export const ROUTES: RouteDef[] = [
  {
    method: 'GET',
    path: '/api/v1/health',
    role: 'viewer',
    summary: 'service, model and storage status',
    handler: (b) => b.health(),
  },
  {
    method: 'GET',
    path: '/api/v1/anomalies',
    role: 'viewer',
    summary: 'anomalies, newest first, filtered by stream, time, score and severity',
    query: AnomalyQuerySchema,
    handler: (b, i) => b.listAnomalies(i.query as z.infer<typeof AnomalyQuerySchema>),
  },
  {
    method: 'GET',
    path: '/api/v1/anomalies/:id',
    role: 'viewer',
    summary: 'one anomaly with its explanation',
    params: IdParams,
    handler: async (b, i) => found('anomaly', await b.getAnomaly(i.params['id']!)),
  },
  {
    method: 'POST',
    path: '/api/v1/anomalies/:id/feedback',
    role: 'editor',
    summary: 'mark an anomaly a false (or true) positive',
    params: IdParams,
    body: FeedbackSchema,
    status: 201,
    handler: async (b, i) =>
      found(
        'anomaly',
        await b.setFeedback(i.params['id']!, i.body as z.infer<typeof FeedbackSchema>, i.actor),
      ),
  },
  {
    method: 'DELETE',
    path: '/api/v1/anomalies/:id/feedback',
    role: 'editor',
    summary: 'undo feedback on an anomaly',
    params: IdParams,
    handler: async (b, i) => found('anomaly', await b.clearFeedback(i.params['id']!, i.actor)),
  },
  {
    method: 'GET',
    path: '/api/v1/streams',
    role: 'viewer',
    summary: 'streams with volume, anomalies and latest score',
    handler: (b) => b.listStreams(),
  },
  {
    method: 'GET',
    path: '/api/v1/templates',
    role: 'viewer',
    summary: 'templates per stream, largest first',
    query: TemplateQuerySchema,
    handler: (b, i) => b.listTemplates(i.query as z.infer<typeof TemplateQuerySchema>),
  },
  {
    method: 'GET',
    path: '/api/v1/thresholds',
    role: 'viewer',
    summary: 'global and per-stream thresholds',
    handler: (b) => b.getThresholds(),
  },
  {
    method: 'PUT',
    path: '/api/v1/thresholds/global',
    role: 'editor',
    summary: 'set the global threshold',
    body: ThresholdSchema,
    handler: (b, i) => b.putGlobalThreshold(i.body as z.infer<typeof ThresholdSchema>, i.actor),
  },
  {
    method: 'PUT',
    path: '/api/v1/thresholds/streams/:stream',
    role: 'editor',
    summary: "set a stream's threshold",
    params: StreamParams,
    body: ThresholdSchema,
    handler: (b, i) =>
      b.putStreamThreshold(i.params['stream']!, i.body as z.infer<typeof ThresholdSchema>, i.actor),
  },
  {
    method: 'DELETE',
    path: '/api/v1/thresholds/streams/:stream',
    role: 'editor',
    summary: "remove a stream's threshold (it falls back to the global one)",
    params: StreamParams,
    status: 204,
    handler: async (b, i) => {
      found('stream threshold', (await b.deleteStreamThreshold(i.params['stream']!, i.actor)) || null);
      return undefined;
    },
  },
  {
    method: 'POST',
    path: '/api/v1/thresholds/preview',
    role: 'viewer',
    summary: 'anomalies the current and a proposed threshold would have raised over recent hours',
    body: PreviewSchema,
    handler: (b, i) => b.previewThreshold(i.body as z.infer<typeof PreviewSchema>),
  },
  {
    method: 'GET',
    path: '/api/v1/models',
    role: 'viewer',
    summary: 'model versions, newest first',
    handler: (b) => b.listModels(),
  },
  {
    method: 'POST',
    path: '/api/v1/models/:version/activate',
    role: 'admin',
    summary: 'activate a model version',
    params: VersionParams,
    handler: async (b, i) => found('model version', await b.activateModel(i.params['version']!, i.actor)),
  },
  {
    method: 'POST',
    path: '/api/v1/models/rollback',
    role: 'admin',
    summary: 'activate the previously active model version',
    handler: async (b, i) => found('previous model version', await b.rollbackModel(i.actor)),
  },
  {
    method: 'POST',
    path: '/api/v1/models/retrain',
    role: 'admin',
    summary: 'train a new version from stored history',
    status: 202,
    handler: (b, i) => b.retrain(i.actor),
  },
  {
    method: 'GET',
    path: '/api/v1/audit',
    role: 'viewer',
    summary: 'who changed what, newest first',
    query: PageQuerySchema,
    handler: (b, i) => b.listAudit(i.query as z.infer<typeof PageQuerySchema>),
  },
];
