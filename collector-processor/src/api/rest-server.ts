import { randomUUID } from 'node:crypto';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyRequest,
} from 'fastify';
import type { TlsServerOptions } from '../config/tls-files';
import { isSafeText } from '../safe-text';
import type { ApiBackend } from './api-backend';
import { admitCaller, ANONYMOUS, type Refusal } from './auth/admission';
import type { AuthFailureThrottle } from './auth/auth-failure-throttle';
import type { RateLimiter } from './auth/rate-limiter';
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
  /** limits.rateLimitPerKey, shared with the OTLP listeners; none = unlimited. */
  rateLimiter?: RateLimiter | null;
  /** limits.authFailuresPerMinute, by the caller's socket address, shared with the other listeners. */
  authThrottle?: AuthFailureThrottle | null;
  /** Counts each refused /api/v1 request (logsieve_ingest_rejected_total{source="rest"}). */
  onRefused?: (reason: Refusal['reason']) => void;
  /** TLS for the listener (server.tls); plain HTTP when absent. */
  https?: TlsServerOptions | null;
}

/**
 * Path parameters name stored things (anomaly ids, streams, versions); stored text never holds
 * NUL or a lone surrogate (safe-text.ts), so such a name is a bad request, not a lookup.
 */
function rejectUnsafeParams(params: unknown): void {
  for (const [k, v] of Object.entries((params ?? {}) as Record<string, unknown>)) {
    if (typeof v === 'string' && !isSafeText(v))
      throw Object.assign(new Error(`path.${k}: contains NUL or an unpaired surrogate`), { statusCode: 400 });
  }
}

type WithPrincipal = FastifyRequest & { principal?: Principal };

/** The principal the role check admitted (ANONYMOUS with auth off); routes use it as actor/tenant. */
export function principalOf(req: FastifyRequest): Principal {
  return (req as WithPrincipal).principal ?? ANONYMOUS;
}

export async function buildRestServer(o: RestServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(o.https ? { https: o.https } : {}),
    ...(o.logger ? { loggerInstance: o.logger } : { logger: false }),
    bodyLimit: o.bodyLimit ?? 16 << 20,
    genReqId: (req) => (req.headers['x-request-id'] as string | undefined)?.slice(0, 64) || randomUUID(),
  });
  const principal = async (req: FastifyRequest) => (o.authenticate ? o.authenticate(req) : ANONYMOUS);

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
    // Fastify answers HEAD with the GET handler: it reads the same, so it needs the same role.
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const need = roleOf.get(`${method} ${route}`) ?? 'admin';
    const a = await admitCaller(() => principal(req), need, {
      rateLimiter: o.rateLimiter,
      authThrottle: o.authThrottle,
      remote: req.socket.remoteAddress,
    });
    if (a.refusal) {
      const r = a.refusal;
      o.onRefused?.(r.reason);
      if (r.status === 401) void reply.header('www-authenticate', 'Bearer');
      if (r.retryAfterSeconds !== undefined) void reply.header('retry-after', String(r.retryAfterSeconds));
      const error = { 401: 'unauthorized', 403: 'forbidden', 429: 'rate_limited' }[r.status];
      return reply.status(r.status).send({ error, message: r.message });
    }
    (req as WithPrincipal).principal = a.principal;
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
        rejectUnsafeParams(req.params);
        const input = {
          params: parse(r.params, req.params, 'path') as Record<string, string>,
          query: parse(r.query, req.query, 'query') as Record<string, unknown>,
          body: parse(r.body, req.body, 'body'),
          actor: principalOf(req).actor,
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
