import { randomUUID } from 'node:crypto';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyRequest,
} from 'fastify';
import type { ApiBackend } from './api-backend';
import { openApiDocument } from './openapi';
import { NotFound, ROUTES, type Role } from './routes';

export interface Principal {
  actor: string;
  role: Role;
}

/** Resolves credentials: a principal, null when none were sent, 'invalid' when they were wrong. */
export type Authenticate = (req: FastifyRequest) => Promise<Principal | null | 'invalid'>;

export interface RestServerOptions {
  backend: ApiBackend;
  version: string;
  /** Absent = authentication off (explicit `auth.enabled: false`): everyone acts as admin "anonymous". */
  authenticate?: Authenticate;
  /** Extra routes on the same listener, e.g. `POST /api/v1/logs`. */
  plugins?: FastifyPluginAsync[];
  bodyLimit?: number;
  /** Structured request logs (pino, with request ids); none when absent. */
  logger?: FastifyBaseLogger;
}

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

export function hasRole(p: Principal, need: Role): boolean {
  return RANK[p.role] >= RANK[need];
}

export async function buildRestServer(o: RestServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(o.logger ? { loggerInstance: o.logger } : { logger: false }),
    bodyLimit: o.bodyLimit ?? 16 << 20,
    genReqId: (req) => (req.headers['x-request-id'] as string | undefined)?.slice(0, 64) || randomUUID(),
  });
  const anonymous: Principal = { actor: 'anonymous', role: 'admin' };
  const principal = async (req: FastifyRequest) => (o.authenticate ? o.authenticate(req) : anonymous);

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    void reply.status(status).send({
      error: status === 500 ? 'internal' : 'bad_request',
      message: status === 500 ? 'internal error' : err.message,
    });
  });
  app.setNotFoundHandler(
    (req, reply) =>
      void reply
        .status(404)
        .send({ error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` }),
  );

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const r = o.backend.readiness();
    return reply.status(r.ready ? 200 : 503).send(r);
  });
  const doc = openApiDocument(o.version);
  app.get('/api/v1/openapi.json', async () => doc);

  // Role checks for every /api/v1 route except the document, including plugin routes.
  const roleOf = new Map(ROUTES.map((r) => [`${r.method} ${r.path}`, r.role]));
  roleOf.set('POST /api/v1/logs', 'editor');
  app.addHook('onRequest', async (req, reply) => {
    const route = req.routeOptions.url;
    if (!route || !route.startsWith('/api/v1/') || route === '/api/v1/openapi.json') return;
    const need = roleOf.get(`${req.method} ${route}`) ?? 'admin';
    const p = await principal(req);
    if (p === null || p === 'invalid') {
      return reply
        .status(401)
        .header('www-authenticate', 'Bearer')
        .send({
          error: 'unauthorized',
          message: p === null ? 'credentials required' : 'invalid credentials',
        });
    }
    if (!hasRole(p, need))
      return reply.status(403).send({ error: 'forbidden', message: `this needs the ${need} role` });
    (req as FastifyRequest & { principal?: Principal }).principal = p;
  });

  for (const r of ROUTES) {
    app.route({
      method: r.method,
      url: r.path,
      handler: async (req, reply) => {
        const parse = (s: typeof r.params, v: unknown, what: string) => {
          if (!s) return v;
          const res = s.safeParse(v ?? {});
          if (!res.success) {
            const issue = res.error.issues[0]!;
            throw Object.assign(
              new Error(`${what}${issue.path.length ? '.' + issue.path.join('.') : ''}: ${issue.message}`),
              { statusCode: 400 },
            );
          }
          return res.data;
        };
        const input = {
          params: parse(r.params, req.params, 'path') as Record<string, string>,
          query: parse(r.query, req.query, 'query') as Record<string, unknown>,
          body: parse(r.body, req.body, 'body'),
          actor: (req as FastifyRequest & { principal?: Principal }).principal?.actor ?? 'anonymous',
        };
        try {
          const out = await r.handler(o.backend, input);
          return reply.status(r.status ?? 200).send(out);
        } catch (err) {
          if (err instanceof NotFound)
            return reply.status(404).send({ error: 'not_found', message: err.message });
          throw err;
        }
      },
    });
  }
  for (const p of o.plugins ?? []) await app.register(p);
  return app;
}
