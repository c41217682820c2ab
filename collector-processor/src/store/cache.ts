/** Short-lived shared values and change notifications (thresholds, model activations) between replicas. */
export interface Cache {
  readonly kind: 'redis' | 'memory';
  /** True when Redis was configured but unreachable at start, so this process runs on its own. */
  readonly degraded: boolean;
  get(key: string): Promise<string | null>;
  /** `ttlSeconds` omitted: kept until deleted. */
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  del(key: string): Promise<void>;
  publish(channel: string, message: string): Promise<void>;
  /** Resolves once subscribed; the returned function unsubscribes this handler. */
  subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Channels the service publishes on when shared settings change. */
export const CacheChannels = {
  thresholds: 'logsieve:thresholds',
  models: 'logsieve:models',
  feedback: 'logsieve:feedback',
} as const;
