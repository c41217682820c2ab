import { OverloadedError } from './overloaded-error';

/**
 * A FIFO of record batches bounded by the number of records it holds, so a burst of ingest can
 * never grow memory without limit: `offer` refuses (OverloadedError) instead of waiting.
 */
export class BoundedQueue<T> {
  private readonly items: { batch: T[]; source: string }[] = [];
  private waiters: ((item: { batch: T[]; source: string } | null) => void)[] = [];
  private records = 0;
  private closed = false;

  constructor(
    /** Records (not batches) the queue may hold. */
    readonly capacity: number,
    private readonly retryAfterSeconds = 1,
  ) {
    if (!(capacity > 0)) throw new RangeError('queue capacity must be positive');
  }

  /** Records waiting (the `logsieve_queue_depth` gauge). */
  get depth(): number {
    return this.records;
  }

  /** Queues a whole batch or nothing; throws OverloadedError when it would pass capacity. */
  offer(batch: T[], source = ''): void {
    if (this.closed) throw new OverloadedError('queue closed', this.retryAfterSeconds, true);
    if (batch.length === 0) return;
    // A batch larger than the whole capacity could never fit: admit it only into an empty queue
    // so big requests still make progress instead of failing forever.
    if (this.records > 0 && this.records + batch.length > this.capacity) {
      throw new OverloadedError(
        `queue full (${this.records}/${this.capacity} records)`,
        this.retryAfterSeconds,
      );
    }
    const item = { batch, source };
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter(item);
      return;
    }
    this.items.push(item);
    this.records += batch.length;
  }

  /** The oldest batch; waits while empty; null once closed and drained. */
  take(): Promise<{ batch: T[]; source: string } | null> {
    const item = this.items.shift();
    if (item) {
      this.records -= item.batch.length;
      return Promise.resolve(item);
    }
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Refuses further offers; takers get what is left, then null. */
  close(): void {
    this.closed = true;
    for (const w of this.waiters) w(null);
    this.waiters = [];
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<{ batch: T[]; source: string }> {
    for (;;) {
      const item = await this.take();
      if (!item) return;
      yield item;
    }
  }
}
