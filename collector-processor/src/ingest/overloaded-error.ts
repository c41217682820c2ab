/**
 * Thrown by a sink or queue that cannot take more records right now. Ingest answers it with a
 * retryable status (HTTP 429/503 with Retry-After, gRPC RESOURCE_EXHAUSTED/UNAVAILABLE) and
 * pull-based sources (Kafka, files) pause instead of buffering without bound.
 */
export class OverloadedError extends Error {
  override readonly name = 'OverloadedError';

  constructor(
    message: string,
    /** How long the client should wait before retrying. */
    readonly retryAfterSeconds = 1,
    /** true: the service itself is going away or not ready (503/UNAVAILABLE), not just full. */
    readonly unavailable = false,
  ) {
    super(message);
  }
}
