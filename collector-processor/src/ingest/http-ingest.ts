import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { FastifyError } from 'fastify';
import type { IngestRejectReason } from './record-sink';
import { OverloadedError } from './overloaded-error';

/*
 * What the HTTP ingest routes (OTLP/HTTP and REST) share: body decompression under the body
 * limit, and one mapping from any failure to a status, a metric reason and a one-line message.
 */

const gunzipAsync = promisify(gunzip);

export class HttpIngestError extends Error {
  constructor(
    readonly statusCode: number,
    readonly reason: IngestRejectReason,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The request body as sent before Content-Encoding: gzip is inflated with the same limit as the
 * raw body, so a small compressed bomb can't expand past server.maxBodyBytes.
 */
export async function decodeBody(
  body: Buffer | undefined,
  contentEncoding: string | undefined,
  maxBytes: number,
): Promise<Buffer> {
  const raw = body ?? Buffer.alloc(0);
  const encoding = (contentEncoding ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return raw;
  if (encoding !== 'gzip') {
    throw new HttpIngestError(415, 'unsupported_media_type', `unsupported Content-Encoding ${encoding}`);
  }
  try {
    // 1 MiB output chunks: inflating a large body in the default 16 KiB ones takes hundreds of
    // thread-pool round trips, each waiting for a busy event loop.
    return await gunzipAsync(raw, { maxOutputLength: maxBytes, chunkSize: 1 << 20 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new HttpIngestError(413, 'too_large', `decompressed body exceeds ${maxBytes} bytes`);
    }
    throw new HttpIngestError(400, 'bad_payload', `invalid gzip body: ${(err as Error).message}`);
  }
}

export interface IngestFailure {
  statusCode: number;
  reason: IngestRejectReason;
  message: string;
  /** Set for overload answers (429/503): the Retry-After header. */
  retryAfterSeconds?: number;
}

/** Maps what a route or fastify's body parsing threw to the answer ingest gives. */
export function classifyIngestError(err: unknown): IngestFailure | null {
  if (err instanceof HttpIngestError) {
    return { statusCode: err.statusCode, reason: err.reason, message: err.message };
  }
  if (err instanceof OverloadedError) {
    return {
      statusCode: err.unavailable ? 503 : 429,
      reason: 'overloaded',
      message: err.message,
      retryAfterSeconds: Math.max(1, Math.ceil(err.retryAfterSeconds)),
    };
  }
  const code = (err as FastifyError | undefined)?.code;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { statusCode: 413, reason: 'too_large', message: 'request body too large' };
  }
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return { statusCode: 415, reason: 'unsupported_media_type', message: 'unsupported Content-Type' };
  }
  const status = (err as FastifyError | undefined)?.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return { statusCode: status, reason: 'bad_payload', message: (err as Error).message };
  }
  return null;
}
