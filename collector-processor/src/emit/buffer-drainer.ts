import type { DiskBuffer } from '../store/disk-buffer';
import { backoffDelay, type BackoffOptions } from './backoff';

export type DrainOutcome = 'sent' | 'refused' | 'unreadable';

export interface DrainerOptions<T> {
  /** What the buffer holds, for messages ("storage", "kafka"). */
  label: string;
  /**
   * Sends one entry: resolves 'sent', or 'refused' when the receiver rejected the entry itself
   * (sending it again can never succeed); rejects when the receiver is down, to retry later.
   */
  send(entry: T): Promise<'sent' | 'refused'>;
  /** Called as each entry leaves the buffer (undefined when it could not be read). */
  onShift?(entry: T | undefined, outcome: DrainOutcome): void;
  warn?: (message: string) => void;
  /** Delays between attempts while the receiver is down (default 250 ms doubling to 5 s). */
  retry?: BackoffOptions;
}

const DEFAULT_RETRY: BackoffOptions = { initialMs: 250, maxMs: 5000 };

/**
 * Sends a disk buffer's entries in order in the background, one at a time, retrying with backoff
 * while the receiver is down. An entry leaves the buffer only once sent, refused as such, or
 * unreadable (a damaged file would block everything behind it for good), so what a process could
 * not send is sent by the next one.
 */
export class BufferDrainer<T> {
  private running: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private closed = false;

  constructor(
    private readonly buffer: DiskBuffer<T>,
    private readonly o: DrainerOptions<T>,
  ) {}

  /** Starts the loop unless it runs already (or the drainer is closed). */
  start(): void {
    if (this.running || this.closed) return;
    this.running = this.loop()
      // The buffer's folder failed under it (disk gone): the next start() tries again.
      .catch((err: Error) => this.o.warn?.(`${this.o.label} buffer failed: ${err.message}`))
      .finally(() => (this.running = null));
  }

  /** Stops after the send in flight; what is still buffered is sent after a restart. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    const { buffer, o } = this;
    let attempt = 0;
    while (!this.closed) {
      let entry: T | undefined;
      try {
        entry = await buffer.peek();
      } catch (err) {
        o.warn?.(`dropping an unreadable ${o.label} buffer entry: ${(err as Error).message}`);
        await buffer.shift();
        o.onShift?.(undefined, 'unreadable');
        continue;
      }
      if (entry === undefined) {
        // Empty (done), or the oldest entry is still being written: look again shortly.
        if (buffer.length === 0) return;
        await this.sleep(20);
        continue;
      }
      let outcome: 'sent' | 'refused';
      try {
        outcome = await o.send(entry);
      } catch (err) {
        const delay = backoffDelay(attempt++, o.retry ?? DEFAULT_RETRY);
        if (attempt === 1) o.warn?.(`${o.label} still down: ${(err as Error).message}`);
        await this.sleep(delay);
        continue;
      }
      attempt = 0;
      await buffer.shift();
      o.onShift?.(entry, outcome);
    }
  }

  /** Waits `ms`, or less when close() is called. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
