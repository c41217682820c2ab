import { EventEmitter } from 'node:events';
import type { Cache } from './cache';

/** The in-process cache: the embedded default, and the fallback when Redis is down. */
export class MemoryCache implements Cache {
  readonly kind = 'memory' as const;
  private readonly values = new Map<string, { value: string; expiresAt: number }>();
  private readonly bus = new EventEmitter();

  constructor(readonly degraded = false) {
    this.bus.setMaxListeners(0);
  }

  async get(key: string): Promise<string | null> {
    const v = this.values.get(key);
    if (!v) return null;
    if (v.expiresAt <= Date.now()) {
      this.values.delete(key);
      return null;
    }
    return v.value;
  }

  async set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    this.values.set(key, {
      value,
      expiresAt: ttlSeconds === undefined ? Infinity : Date.now() + ttlSeconds * 1000,
    });
  }

  async del(key: string): Promise<void> {
    this.values.delete(key);
  }

  async publish(channel: string, message: string): Promise<void> {
    // Delivered on a later tick, as over Redis: a publisher never runs handlers inside its own call.
    setImmediate(() => this.bus.emit(channel, message));
  }

  async subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>> {
    this.bus.on(channel, handler);
    return async () => {
      this.bus.off(channel, handler);
    };
  }

  async close(): Promise<void> {
    this.bus.removeAllListeners();
    this.values.clear();
  }
}
