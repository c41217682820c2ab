import type { FastifyPluginAsync } from 'fastify';
import { principalOf } from '../api/rest-server';
import type { LogRecord } from '../record';
import { admitRecords } from './admit-records';
import { classifyIngestError, decodeBody, HttpIngestError } from './http-ingest';
import type { IngestHooks, RecordSink } from './record-sink';

export interface RestLogsRouteOptions {
  sink: RecordSink;
  maxBodyBytes: number;
  maxLineBytes: number;
  maxRecordsPerRequest: number;
  hooks?: IngestHooks;
}

/** Stream of lines that name none, neither in the body nor in `?stream=`. */
export const DEFAULT_REST_STREAM = 'unknown_service';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * `POST /api/v1/logs` (docs/rest-api.md): raw lines as a JSON array of strings or
 * `{line, stream?}` objects, as NDJSON of the same, or as text/plain one line per line. Lines are
 * passed on undecoded (body = raw = the line); decode strips headers later. Answers 202
 * `{accepted, rejected}`. Register it inside the REST server's auth scope (role editor).
 */
export const restLogsRoute: FastifyPluginAsync<RestLogsRouteOptions> = async (app, opts) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ['application/json', 'application/x-ndjson', 'text/plain'],
    { parseAs: 'buffer', bodyLimit: opts.maxBodyBytes },
    (_request, body, done) => done(null, body),
  );

  app.setErrorHandler((err, request, reply) => {
    const failure = classifyIngestError(err);
    if (!failure) {
      request.log.error({ err }, 'REST log ingest failed');
      return reply.code(500).send({ error: 'internal', message: 'internal error' });
    }
    opts.hooks?.onRejected?.('rest', failure.reason);
    if (failure.retryAfterSeconds !== undefined)
      reply.header('retry-after', String(failure.retryAfterSeconds));
    return reply.code(failure.statusCode).send({ error: failure.reason, message: failure.message });
  });

  app.post<{ Querystring: { stream?: string } }>('/api/v1/logs', async (request, reply) => {
    const body = await decodeBody(
      request.body as Buffer | undefined,
      request.headers['content-encoding'],
      opts.maxBodyBytes,
    );
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      throw new HttpIngestError(400, 'bad_payload', 'body is not valid UTF-8');
    }
    const type = (request.headers['content-type'] ?? '').toLowerCase();
    const items = type.startsWith('application/x-ndjson')
      ? parseNdjson(text)
      : type.startsWith('text/plain')
        ? splitLines(text)
        : parseJsonArray(text);
    if (items.length > opts.maxRecordsPerRequest) {
      throw new HttpIngestError(
        413,
        'too_large',
        `${items.length} lines exceed limits.maxRecordsPerRequest (${opts.maxRecordsPerRequest})`,
      );
    }
    const defaultStream =
      typeof request.query.stream === 'string' && request.query.stream !== ''
        ? request.query.stream
        : DEFAULT_REST_STREAM;
    const records = items.map((item, i) => toRecord(item, i, defaultStream));
    const { accepted, rejected } = await admitRecords(records, 'rest', {
      ...opts,
      tenant: principalOf(request).actor,
    });
    return reply.code(202).send({ accepted, rejected });
  });
};

type Item = unknown;

function parseJsonArray(text: string): Item[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new HttpIngestError(400, 'bad_payload', `invalid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(value)) throw new HttpIngestError(400, 'bad_payload', 'expected a JSON array of lines');
  return value;
}

function parseNdjson(text: string): Item[] {
  const out: Item[] = [];
  splitLines(text).forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      out.push(JSON.parse(line));
    } catch (err) {
      throw new HttpIngestError(400, 'bad_payload', `NDJSON line ${i + 1}: ${(err as Error).message}`);
    }
  });
  return out;
}

function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function toRecord(item: Item, index: number, defaultStream: string): LogRecord {
  let line: unknown = item;
  let stream = defaultStream;
  if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
    const o = item as Record<string, unknown>;
    line = o.line;
    if (o.stream !== undefined) {
      if (typeof o.stream !== 'string' || o.stream === '') {
        throw new HttpIngestError(400, 'bad_payload', `item ${index}: stream must be a non-empty string`);
      }
      stream = o.stream;
    }
  }
  if (typeof line !== 'string') {
    throw new HttpIngestError(400, 'bad_payload', `item ${index}: expected a string or {line, stream?}`);
  }
  return {
    stream,
    line: index + 1,
    timeMs: null,
    severityNumber: 0,
    severityText: '',
    body: line,
    raw: line,
  };
}
