import { useCallback, useEffect, useState } from 'react';
import { ApiError, toApiError } from '../api/errors';

export type RequestState<T> =
  | { status: 'loading'; data?: T }
  | { status: 'ok'; data: T }
  | { status: 'error'; error: ApiError; data?: T };

/** Runs `load` whenever `deps` change; an answer to an older request is ignored. */
export function useRequest<T>(
  load: () => Promise<T>,
  deps: unknown[],
): RequestState<T> & { reload: () => void } {
  const [state, setState] = useState<RequestState<T>>({ status: 'loading' });
  const [tick, setTick] = useState(0);
  const run = useCallback(load, deps);
  useEffect(() => {
    let live = true;
    setState((s) => ({ status: 'loading', data: s.data }));
    run().then(
      (data) => live && setState({ status: 'ok', data }),
      (err) => live && setState({ status: 'error', error: toApiError(err) }),
    );
    return () => {
      live = false;
    };
  }, [run, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}
