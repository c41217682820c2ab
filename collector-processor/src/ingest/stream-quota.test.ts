import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../record';
import { limitStreams, StreamQuota } from './stream-quota';
import { collectingSink } from './testing/collecting-sink';

const rec = (stream: string): LogRecord => ({
  stream,
  line: 1,
  timeMs: null,
  severityNumber: 0,
  severityText: '',
  body: 'x',
});

describe('StreamQuota', () => {
  it('gives each tenant its first maxStreams streams and refuses records of later ones', () => {
    const q = new StreamQuota(2);
    const first = q.split('alice', [rec('a'), rec('b'), rec('c'), rec('a')]);
    expect(first.kept.map((r) => r.stream)).toEqual(['a', 'b', 'a']);
    expect(first.refused.map((r) => r.stream)).toEqual(['c']);
    expect(q.split('alice', [rec('c'), rec('b')]).refused.map((r) => r.stream)).toEqual(['c']);
    expect(q.split('bob', [rec('c')]).kept).toHaveLength(1);
    expect(q.streamsOf('alice')).toBe(2);
    expect(q.streamsOf('bob')).toBe(1);
  });
});

describe('limitStreams', () => {
  it('passes what the quota keeps, reports the rest as rejected and leaves tenant-less records alone', async () => {
    const target = collectingSink();
    const refused: LogRecord[] = [];
    const sink = limitStreams(target.sink, new StreamQuota(1), (r) => refused.push(...r));
    expect(await sink([rec('a'), rec('b'), rec('a')], 'rest', 'alice')).toEqual({ accepted: 2, rejected: 1 });
    expect(refused.map((r) => r.stream)).toEqual(['b']);
    expect(await sink([rec('b')], 'rest', 'alice')).toEqual({ accepted: 0, rejected: 1 });
    // File and Kafka inputs carry no tenant and are not limited.
    expect(await sink([rec('x'), rec('y')], 'file')).toEqual({ accepted: 2, rejected: 0 });
    expect(target.records().map((r) => r.stream)).toEqual(['a', 'a', 'x', 'y']);
  });
});
