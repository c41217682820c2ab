import { EventEmitter } from 'node:events';
import type { Cache } from './cache';

/** The in-process bus: the embedded default, and the fallback when Redis is down. */
export class MemoryCache implements Cache {
  readonly kind = 'memory' as const;
  private readonly bus = new EventEmitter();

  constructor(readonly degraded = false) {
    this.bus.setMaxListeners(0);
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
  }
}
