import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnomalyEvent } from '../anomaly-event';
import { DiskBuffer } from '../store/disk-buffer';
import { BufferedSink } from './buffered-sink';
import { OtlpLogSink } from './otlp-log-sink';
import { startCaptureServer } from './testing/capture-server';
import { waitFor } from './testing/daemon';
import { sampleEvent } from './testing/sample-event';

// The OTLP output (the real sink over HTTP) behind its disk buffer; the receiver is a local HTTP
// server standing in for a Collector (none can run here) whose answer the test switches.
describe('BufferedSink', () => {
  let dir: string;
  let status = 503;
  let receiver: Awaited<ReturnType<typeof startCaptureServer>>;
  const counts: string[] = [];

  const open = async () =>
    new BufferedSink(
      new OtlpLogSink({ endpoint: `${receiver.url}/v1/logs`, attempts: 1 }),
      await DiskBuffer.open<AnomalyEvent[]>(path.join(dir, 'otlp'), 1 << 20),
      { retry: { initialMs: 20, maxMs: 50 }, count: (s, o, n) => counts.push(`${s}:${o}:${n}`) },
    );
  /** Anomaly ids in the order the receiver took them (each event is exported as its sample lines). */
  const received = () =>
    receiver.requests
      .filter((r) => r.status === 200)
      .flatMap((r) => [
        ...new Set(
          [...r.body.matchAll(/"logsieve\.anomaly\.id","value":\{"stringValue":"([^"]+)"/g)].map((m) => m[1]),
        ),
      ]);

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'logsieve-buffered-'));
    status = 503;
    counts.length = 0;
    receiver = await startCaptureServer(() => status);
  });
  afterEach(async () => {
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps what the output did not take and sends it, in order, when the output is back', async () => {
    const sink = await open();
    try {
      expect(await sink.emit([sampleEvent('e1')])).toBe('buffered');
      // Behind the backlog, new events wait their turn even if the output could take them.
      expect(await sink.emit([sampleEvent('e2'), sampleEvent('e3')])).toBe('buffered');
      expect(sink.backlog).toBe(2);
      status = 200;
      await waitFor(async () => (sink.backlog === 0 ? true : undefined), 10_000, 'the backlog sent');
      expect(received()).toEqual(['e1', 'e2', 'e3']);
      expect(counts).toEqual(['otlp:ok:1', 'otlp:ok:2']);
      expect(await sink.emit([sampleEvent('e4')])).toBeUndefined();
      expect(received()).toEqual(['e1', 'e2', 'e3', 'e4']);
    } finally {
      await sink.close();
    }
  });

  it('sends after a restart what the previous process could not', async () => {
    const first = await open();
    await first.emit([sampleEvent('e1')]);
    await first.close();
    status = 200;
    const second = await open();
    try {
      await waitFor(async () => (second.backlog === 0 ? true : undefined), 10_000, 'the backlog sent');
      expect(received()).toEqual(['e1']);
    } finally {
      await second.close();
    }
  });

  it('drops and counts what the output refuses as such instead of blocking behind it', async () => {
    const sink = await open();
    try {
      await sink.emit([sampleEvent('e1')]);
      status = 400;
      await waitFor(async () => (sink.backlog === 0 ? true : undefined), 10_000, 'the refused batch dropped');
      expect(counts).toEqual(['otlp:dropped:1']);
      // Refused straight away, with no backlog: the caller counts it as an error.
      await expect(sink.emit([sampleEvent('e2')])).rejects.toThrow(/400/);
    } finally {
      await sink.close();
    }
  });
});
