import { z } from 'zod';
import { ROUTES } from './routes';

type Json = Record<string, unknown>;

const schema = (s: z.ZodType, io: 'input' | 'output' = 'input') =>
  z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Json;

/** OpenAPI 3.1 document generated from the route table, so it cannot drift from the server. */
export function openApiDocument(version: string): Json {
  const paths: Record<string, Json> = {};
  for (const r of ROUTES) {
    const path = r.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const op: Json = {
      summary: r.summary,
      operationId: `${r.method.toLowerCase()}${path.replace(/[^A-Za-z]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
      'x-logsieve-role': r.role,
      responses: {
        [String(r.status ?? 200)]: { description: 'success' },
        '400': {
          description: 'invalid request',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
        '401': { description: 'no or invalid credentials' },
        '403': { description: `role below ${r.role}` },
        ...(r.params ? { '404': { description: 'not found' } } : {}),
      },
    };
    if (r.role) op['security'] = [{ bearer: [] }, { apiKey: [] }];
    const parameters: Json[] = [];
    for (const [where, s] of [
      ['path', r.params],
      ['query', r.query],
    ] as const) {
      if (!s) continue;
      const js = schema(s);
      const props = (js['properties'] ?? {}) as Record<string, Json>;
      const required = new Set((js['required'] as string[] | undefined) ?? []);
      for (const [name, p] of Object.entries(props))
        parameters.push({
          name,
          in: where,
          required: where === 'path' || (required.has(name) && p['default'] === undefined),
          schema: p,
        });
    }
    if (parameters.length) op['parameters'] = parameters;
    if (r.body)
      op['requestBody'] = { required: true, content: { 'application/json': { schema: schema(r.body) } } };
    paths[path] = { ...(paths[path] ?? {}), [r.method.toLowerCase()]: op };
  }
  paths['/healthz'] = {
    get: { summary: 'liveness', 'x-logsieve-role': null, responses: { '200': { description: 'alive' } } },
  };
  paths['/readyz'] = {
    get: {
      summary: 'readiness: storage up and a model active',
      'x-logsieve-role': null,
      responses: { '200': { description: 'ready' }, '503': { description: 'not ready, with the reason' } },
    },
  };
  paths['/api/v1/logs'] = {
    post: {
      summary: 'ingest raw lines: a JSON array of strings or {line, stream} objects, or NDJSON',
      'x-logsieve-role': 'editor',
      security: [{ bearer: [] }, { apiKey: [] }],
      parameters: [{ name: 'stream', in: 'query', required: false, schema: { type: 'string' } }],
      responses: {
        '202': { description: 'accepted' },
        '400': { description: 'bad payload' },
        '413': { description: 'too large' },
        '415': { description: 'unsupported media type' },
        '429': { description: 'overloaded, retry after' },
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: { title: 'logsieve', version, description: 'Log anomaly detection REST API (docs/rest-api.md).' },
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'API key or JWT' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
      schemas: {
        Error: {
          type: 'object',
          properties: { error: { type: 'string' }, message: { type: 'string' } },
          required: ['error', 'message'],
        },
      },
    },
  };
}
