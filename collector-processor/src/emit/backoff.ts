export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
}

/** Exponential delay before retry `attempt` (0-based), capped, with up to 20% jitter so replicas don't retry in step. */
export function backoffDelay(
  attempt: number,
  { initialMs = 500, maxMs = 30_000 }: BackoffOptions = {},
): number {
  const base = Math.min(maxMs, initialMs * 2 ** attempt);
  return Math.round(base * (0.8 + Math.random() * 0.2));
}

/** Runs `fn` until it succeeds or `attempts` tries have failed (then rethrows the last error). */
export async function retry<T>(
  fn: () => Promise<T>,
  attempts: number,
  opts: BackoffOptions = {},
): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i + 1 >= attempts || (err as { retryable?: boolean }).retryable === false) throw err;
      await new Promise((r) => setTimeout(r, backoffDelay(i, opts)));
    }
  }
}

/** An HTTP failure; 4xx other than 408/429 is the request's fault, so retrying can't help. */
export class HttpError extends Error {
  readonly retryable: boolean;

  constructor(
    readonly status: number,
    body: string,
    what: string,
  ) {
    super(`${what} answered ${status}: ${body.slice(0, 300)}`);
    this.retryable = status >= 500 || status === 408 || status === 429;
  }
}
