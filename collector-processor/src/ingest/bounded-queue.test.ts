import { describe, it, expect } from 'vitest';
import { BoundedQueue } from './bounded-queue';
import { OverloadedError } from './overloaded-error';

describe('BoundedQueue', () => {
  it('counts depth in records and hands batches out in order', async () => {
    const q = new BoundedQueue<number>(10);
    q.offer([1, 2, 3], 'rest');
    q.offer([4], 'file');
    expect(q.depth).toBe(4);
    expect(await q.take()).toEqual({ batch: [1, 2, 3], source: 'rest' });
    expect(q.depth).toBe(1);
    expect((await q.take())?.batch).toEqual([4]);
    expect(q.depth).toBe(0);
  });

  it('throws OverloadedError with retryAfterSeconds when a batch would pass capacity', () => {
    const q = new BoundedQueue<number>(5, 3);
    q.offer([1, 2, 3, 4]);
    let err: unknown;
    try {
      q.offer([5, 6]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OverloadedError);
    expect((err as OverloadedError).retryAfterSeconds).toBe(3);
    expect(q.depth).toBe(4);
    q.offer([5]);
    expect(q.depth).toBe(5);
  });

  it('admits an oversized batch only into an empty queue', () => {
    const q = new BoundedQueue<number>(2);
    q.offer([1, 2, 3]);
    expect(q.depth).toBe(3);
    expect(() => q.offer([4])).toThrow(OverloadedError);
  });

  it('wakes a waiting taker and ends iteration after close', async () => {
    const q = new BoundedQueue<string>(4);
    const pending = q.take();
    q.offer(['a']);
    expect((await pending)?.batch).toEqual(['a']);
    q.offer(['b']);
    q.close();
    expect(() => q.offer(['c'])).toThrow(OverloadedError);
    const seen: string[][] = [];
    for await (const item of q) seen.push(item.batch);
    expect(seen).toEqual([['b']]);
  });
});
