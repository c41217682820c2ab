import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ListenerGuard } from '../api/auth/admission';
import type { EventTimeLimits } from '../decode/event-time';
import { admitRecords, partialSuccess } from './admit-records';
import { classifyIngestError, decodeBody, HttpIngestError } from './http-ingest';
import { decodeOtlpLogsJsonBytes, decodeOtlpLogsProto, OtlpDecodeError } from './otlp/otlp-logs-decoder';
import { encodeExportLogsResponse, exportLogsResponseJson } from './otlp/otlp-logs-encoder';
import { RpcStatus } from './otlp/otlp-logs-schema';
import type { IngestHooks, RecordSink } from './record-sink';

export interface OtlpHttpReceiverOptions {
  sink: RecordSink;
  /** server.maxBodyBytes: limit for the body as sent and after gunzip (413 beyond). */
  maxBodyBytes: number;
  /** limits.maxLineBytes: longer records are rejected through partial_success. */
  maxLineBytes: number;
  /** limits.maxRecordsPerRequest: a request with more records is answered 413. */
  maxRecordsPerRequest: number;
  hooks?: IngestHooks;
  /** limits.maxEventAge/AheadSeconds: records outside them are reported in partial_success. */
  eventTime?: EventTimeLimits;
  /** Authentication (role editor) and rate limiting; absent = open, records carry no tenant. */
  guard?: ListenerGuard;
}

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';
// gRPC status codes, which OTLP/HTTP error bodies (google.rpc.Status) carry.
const GRPC_CODE: Record<number, number> = { 400: 3, 401: 16, 403: 7, 413: 3, 415: 3, 429: 8, 503: 14 };

type Format = 'protobuf' | 'json';

function formatOf(request: FastifyRequest): Format {
  return (request.headers['content-type'] ?? '').toLowerCase().startsWith(JSON_TYPE) ? 'json' : 'protobuf';
}

/**
 * OTLP/HTTP logs receiver: `POST /v1/logs` with protobuf or JSON bodies, optionally gzip, answered
 * in the request's encoding as the OTLP specification asks. Register it on its own fastify
 * instance (port server.ports.otlpHttp); it replaces the content-type parsers of its scope.
 */
export const otlpHttpReceiver: FastifyPluginAsync<OtlpHttpReceiverOptions> = async (app, opts) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    [PROTOBUF, JSON_TYPE],
    { parseAs: 'buffer', bodyLimit: opts.maxBodyBytes },
    (_request, body, done) => done(null, body),
  );

  app.setErrorHandler((err, request, reply) => {
    const failure = classifyIngestError(err);
    if (!failure) {
      request.log.error({ err }, 'OTLP/HTTP ingest failed');
      return sendStatus(reply, formatOf(request), 500, 'internal error');
    }
    opts.hooks?.onRejected?.('otlp_http', failure.reason);
    if (failure.retryAfterSeconds !== undefined)
      reply.header('retry-after', String(failure.retryAfterSeconds));
    // 415 means we could not read the request's encoding, so answer in JSON.
    const format = failure.statusCode === 415 ? 'json' : formatOf(request);
    return sendStatus(reply, format, failure.statusCode, failure.message);
  });

  const tenants = new WeakMap<FastifyRequest, string>();
  const guard = opts.guard;
  if (guard) {
    // Before the body is read, so refused callers cost no parsing.
    app.addHook('onRequest', async (request, reply) => {
      const a = await guard(request.headers, 'editor', request.socket.remoteAddress);
      if (!a.refusal) return void tenants.set(request, a.principal.actor);
      const r = a.refusal;
      opts.hooks?.onRejected?.('otlp_http', r.reason);
      if (r.status === 401) reply.header('www-authenticate', 'Bearer');
      if (r.retryAfterSeconds !== undefined) reply.header('retry-after', String(r.retryAfterSeconds));
      return sendStatus(reply, formatOf(request), r.status, r.message);
    });
  }

  app.post('/v1/logs', async (request, reply) => {
    const format = formatOf(request);
    const body = await decodeBody(
      request.body as Buffer | undefined,
      request.headers['content-encoding'],
      opts.maxBodyBytes,
    );
    let records;
    try {
      records = format === 'json' ? decodeOtlpLogsJsonBytes(body) : decodeOtlpLogsProto(body);
    } catch (err) {
      if (err instanceof OtlpDecodeError) throw new HttpIngestError(400, 'bad_payload', err.message);
      throw err;
    }
    if (records.length > opts.maxRecordsPerRequest) {
      throw new HttpIngestError(
        413,
        'too_large',
        `${records.length} log records exceed limits.maxRecordsPerRequest (${opts.maxRecordsPerRequest})`,
      );
    }
    const result = await admitRecords(records, 'otlp_http', { ...opts, tenant: tenants.get(request) });
    const partial = partialSuccess(result);
    reply.code(200);
    if (format === 'json') return reply.type(JSON_TYPE).send(JSON.stringify(exportLogsResponseJson(partial)));
    return reply.type(PROTOBUF).send(Buffer.from(encodeExportLogsResponse(partial)));
  });
};

function sendStatus(reply: FastifyReply, format: Format, statusCode: number, message: string): FastifyReply {
  const code = GRPC_CODE[statusCode] ?? 13;
  reply.code(statusCode);
  if (format === 'json') return reply.type(JSON_TYPE).send(JSON.stringify({ code, message }));
  return reply
    .type(PROTOBUF)
    .send(Buffer.from(RpcStatus.encode(RpcStatus.fromObject({ code, message })).finish()));
}
