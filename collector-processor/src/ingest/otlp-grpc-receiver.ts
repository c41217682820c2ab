import * as grpc from '@grpc/grpc-js';
import type { ListenerGuard, Refusal } from '../api/auth/admission';
import { grpcPeerAddress } from '../api/auth/peer-address';
import type { TlsServerOptions } from '../config/tls-files';
import type { EventTimeLimits } from '../decode/event-time';
import { admitRecords, partialSuccess } from './admit-records';
import { missingMessageAnswer } from './grpc-missing-message';
import { oversizeCounter } from './grpc-oversize-counter';
import { decodeOtlpLogsProto, OtlpDecodeError } from './otlp/otlp-logs-decoder';
import { encodeExportLogsResponse } from './otlp/otlp-logs-encoder';
import { LOGS_EXPORT_PATH, RpcRetryInfo, RpcStatus } from './otlp/otlp-logs-schema';
import { OverloadedError } from './overloaded-error';
import type { IngestHooks, IngestRejectReason, RecordSink } from './record-sink';

export interface OtlpGrpcReceiverOptions {
  sink: RecordSink;
  host: string;
  /** 0 picks a free port (tests); the bound one is returned. */
  port: number;
  /** server.maxBodyBytes: the largest (decompressed) message accepted. */
  maxBodyBytes: number;
  maxLineBytes: number;
  maxRecordsPerRequest: number;
  hooks?: IngestHooks;
  /** limits.maxEventAge/AheadSeconds: records outside them are reported in partial_success. */
  eventTime?: EventTimeLimits;
  /** Authentication (role editor, metadata `authorization`/`x-api-key`) and rate limiting. */
  guard?: ListenerGuard;
  /** server.tls; plain text when absent. */
  tls?: TlsServerOptions | null;
}

export interface OtlpGrpcReceiver {
  port: number;
  /** Stops accepting calls, lets running ones finish (forced after graceMs). */
  close(graceMs?: number): Promise<void>;
}

const passThrough = (b: Buffer | Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/*
 * opentelemetry.proto.collector.logs.v1.LogsService, defined with the project's own protobuf
 * schema. Messages stay bytes through grpc-js and are decoded in the handler, so a malformed
 * payload becomes INVALID_ARGUMENT with a reason instead of an opaque internal error.
 */
export const logsServiceDefinition: grpc.ServiceDefinition = {
  Export: {
    path: LOGS_EXPORT_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: passThrough,
    requestDeserialize: passThrough,
    responseSerialize: passThrough,
    responseDeserialize: passThrough,
    originalName: 'export',
  },
};

type Callback = grpc.sendUnaryData<Buffer>;

/** Starts the OTLP/gRPC logs receiver (port server.ports.otlpGrpc). */
export async function startOtlpGrpcReceiver(opts: OtlpGrpcReceiverOptions): Promise<OtlpGrpcReceiver> {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': opts.maxBodyBytes,
    interceptors: [
      oversizeCounter(() => opts.hooks?.onRejected?.('otlp_grpc', 'too_large')),
      missingMessageAnswer(() => opts.hooks?.onRejected?.('otlp_grpc', 'bad_payload')),
    ],
  });
  const reject = (callback: Callback, reason: IngestRejectReason, error: Partial<grpc.StatusObject>) => {
    opts.hooks?.onRejected?.('otlp_grpc', reason);
    callback(error as grpc.ServiceError, null);
  };

  server.addService(logsServiceDefinition, {
    Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: Callback) => {
      if (!opts.guard) return void exportLogs(call.request, undefined, callback);
      opts
        .guard(call.metadata.getMap() as Record<string, string>, 'editor', grpcPeerAddress(call.getPeer()))
        .then((a) => {
          if (a.refusal) return reject(callback, a.refusal.reason, refusalStatus(a.refusal));
          exportLogs(call.request, a.principal.actor, callback);
        })
        .catch(() =>
          callback({ code: grpc.status.INTERNAL, details: 'internal error' } as grpc.ServiceError, null),
        );
    },
  });

  function exportLogs(request: Buffer, tenant: string | undefined, callback: Callback): void {
    let records;
    try {
      records = decodeOtlpLogsProto(request);
    } catch (err) {
      if (!(err instanceof OtlpDecodeError)) throw err;
      return reject(callback, 'bad_payload', { code: grpc.status.INVALID_ARGUMENT, details: err.message });
    }
    if (records.length > opts.maxRecordsPerRequest) {
      return reject(callback, 'too_large', {
        code: grpc.status.INVALID_ARGUMENT,
        details: `${records.length} log records exceed limits.maxRecordsPerRequest (${opts.maxRecordsPerRequest})`,
      });
    }
    admitRecords(records, 'otlp_grpc', { ...opts, tenant }).then(
      (result) => {
        callback(null, Buffer.from(encodeExportLogsResponse(partialSuccess(result))));
      },
      (err: unknown) => {
        if (err instanceof OverloadedError) return reject(callback, 'overloaded', overloadStatus(err));
        callback({ code: grpc.status.INTERNAL, details: 'internal error' } as grpc.ServiceError, null);
      },
    );
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${opts.host}:${opts.port}`, serverCredentials(opts.tls), (err, bound) =>
      err ? reject(err) : resolve(bound),
    );
  });

  return {
    port,
    close: (graceMs = 5000) =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}

function serverCredentials(tls: TlsServerOptions | null | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(
    tls.ca ?? null,
    [{ private_key: tls.key, cert_chain: tls.cert }],
    tls.requestCert,
  );
}

/**
 * OTLP: UNAVAILABLE is always retried; RESOURCE_EXHAUSTED only with a RetryInfo detail, which
 * also carries the delay (the gRPC counterpart of Retry-After).
 */
function overloadStatus(err: OverloadedError): Partial<grpc.StatusObject> {
  const code = err.unavailable ? grpc.status.UNAVAILABLE : grpc.status.RESOURCE_EXHAUSTED;
  return retryStatus(code, err.message, err.retryAfterSeconds);
}

function retryStatus(code: grpc.status, message: string, seconds: number): Partial<grpc.StatusObject> {
  const retryInfo = RpcRetryInfo.encode(
    RpcRetryInfo.fromObject({ retryDelay: { seconds: Math.max(1, Math.ceil(seconds)) } }),
  ).finish();
  const status = RpcStatus.encode(
    RpcStatus.fromObject({
      code,
      message,
      details: [{ typeUrl: 'type.googleapis.com/google.rpc.RetryInfo', value: retryInfo }],
    }),
  ).finish();
  const metadata = new grpc.Metadata();
  metadata.set('grpc-status-details-bin', Buffer.from(status));
  return { code, details: message, metadata };
}

/** 401/403/429 in gRPC terms (the rate-limit answer is retryable, like an overload). */
function refusalStatus(r: Refusal): Partial<grpc.StatusObject> {
  if (r.status === 429)
    return retryStatus(grpc.status.RESOURCE_EXHAUSTED, r.message, r.retryAfterSeconds ?? 1);
  const code = r.status === 401 ? grpc.status.UNAUTHENTICATED : grpc.status.PERMISSION_DENIED;
  return { code, details: r.message };
}
