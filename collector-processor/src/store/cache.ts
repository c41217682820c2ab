/**
 * Change notifications between replicas (thresholds, model activations, false-positive feedback):
 * each replica then reads the change from shared storage. Nothing is cached: the configuration
 * key `cache` names the bus (in-process, or Redis pub/sub across replicas).
 */
export interface Cache {
  readonly kind: 'redis' | 'memory';
  /** True when Redis was configured but unreachable at start, so this process runs on its own. */
  readonly degraded: boolean;
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
