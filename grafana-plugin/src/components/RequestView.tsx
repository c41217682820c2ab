import { Alert, Button, LoadingPlaceholder } from '@grafana/ui';
import type { ReactNode } from 'react';
import { describeError, type ApiError } from '../api/errors';
import type { RequestState } from './use-request';

export function ErrorView({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  const { title, detail } = describeError(error);
  return (
    <Alert title={title} severity={error.kind === 'forbidden' ? 'warning' : 'error'}>
      <div>{detail}</div>
      {onRetry && (
        <Button size="sm" variant="secondary" onClick={onRetry} style={{ marginTop: 8 }}>
          Retry
        </Button>
      )}
    </Alert>
  );
}

export function EmptyView({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <Alert title={title} severity="info">
      {children}
    </Alert>
  );
}

/** Loading, error or the content; `empty` decides when the data counts as "nothing yet". */
export function RequestView<T>({
  state,
  onRetry,
  empty,
  emptyTitle = 'No data yet',
  emptyText,
  children,
}: {
  state: RequestState<T>;
  onRetry?: () => void;
  empty?: (data: T) => boolean;
  emptyTitle?: string;
  emptyText?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (state.status === 'error') return <ErrorView error={state.error} onRetry={onRetry} />;
  if (state.status === 'loading' && state.data === undefined) return <LoadingPlaceholder text="Loading..." />;
  const data = state.data as T;
  if (empty?.(data)) return <EmptyView title={emptyTitle}>{emptyText}</EmptyView>;
  return <>{children(data)}</>;
}
