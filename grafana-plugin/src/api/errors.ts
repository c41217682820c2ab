/** What went wrong, in the terms a page shows to a person. */
export type ApiErrorKind = 'unreachable' | 'unauthorized' | 'forbidden' | 'not_found' | 'invalid' | 'server';

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    readonly status: number,
    message: string,
    /** The service's error code (`{"error": code}`), when it answered one. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface FetchErrorLike {
  status?: number;
  statusText?: string;
  data?: unknown;
  message?: string;
}

function kindOf(status: number): ApiErrorKind {
  // Grafana's proxy answers 502/504 when the service cannot be reached; 0 is a network failure.
  if (status === 0 || status === 502 || status === 503 || status === 504) return 'unreachable';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status >= 400 && status < 500) return 'invalid';
  return 'server';
}

/** Turns whatever backendSrv.fetch threw into an ApiError. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const e = (err ?? {}) as FetchErrorLike;
  const status = typeof e.status === 'number' ? e.status : 0;
  const body = (e.data ?? {}) as { error?: unknown; message?: unknown };
  const message =
    typeof body.message === 'string' && body.message
      ? body.message
      : e.statusText || e.message || (status ? `HTTP ${status}` : 'network error');
  return new ApiError(
    kindOf(status),
    status,
    message,
    typeof body.error === 'string' ? body.error : undefined,
  );
}

/** One line for the page, the same wording everywhere. */
export function describeError(err: ApiError): { title: string; detail: string } {
  switch (err.kind) {
    case 'unreachable':
      return {
        title: 'logsieve service is not reachable',
        detail: `Check that logsieve is running and that the URL on the app's configuration page is right (${err.message}).`,
      };
    case 'unauthorized':
      return {
        title: 'Not authenticated',
        detail: 'The API key on the configuration page was refused by logsieve.',
      };
    case 'forbidden':
      return {
        title: 'No permission',
        detail: `You do not have permission for this action (${err.message}).`,
      };
    case 'not_found':
      return { title: 'Not found', detail: err.message };
    case 'invalid':
      return { title: 'Request rejected', detail: err.message };
    default:
      return { title: 'logsieve answered with an error', detail: err.message };
  }
}
