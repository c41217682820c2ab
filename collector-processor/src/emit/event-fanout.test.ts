import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnomalyEvent } from '../anomaly-event';
import { DiskBuffer } from '../store/disk-buffer';
import type { InsertResult } from '../store/storage';
import { EventFanout } from './event-fanout';
import type { EventSink } from './event-sink';
import { Metrics, type SinkName } from './metrics';
import { waitFor } from './testing/daemon';
import { sampleEvent } from './testing/sample-event';

/** Storage's insert contract: ids seen before are not new. `stored` lists ids in write order. */
function memoryStorage(fail = () => false) {
  const ids = new Set<string>();
  const stored: string[] = [];
  return {
    stored,
    async insertAnomalies(events: AnomalyEvent[]): Promise<InsertResult> {
      if (fail()) throw new Error('connection refused');
      const newIds = events.filter((e) => !ids.has(e.id)).map((e) => e.id);
      newIds.forEach((id) => ids.add(id));
      stored.push(...newIds);
      return { newIds };
    },
  };
}

function sink(name: SinkName, behave: 'ok' | 'fail' | 'hang' = 'ok') {
  const got: string[][] = [];
  const s: EventSink = {
    name,
    emit: async (events) => {
      got.push(events.map((e) => e.id));
      if (behave === 'fail') throw new Error(`${name} down`);
      if (behave === 'hang') await new Promise(() => {});
    },
  };
  return { s, got };
}

describe('EventFanout', () => {
  let dir: string;
  let buffer: DiskBuffer<AnomalyEvent[]>;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'logsieve-fanout-'));
    buffer = await DiskBuffer.open(dir, 1_000_000);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('stores first and forwards only events storage had not seen', async () => {
    const kafka = sink('kafka');
    const am = sink('alertmanager');
    const counts: string[] = [];
    const fanout = new EventFanout({
      storage: memoryStorage(),
      buffer,
      sinks: [kafka.s, am.s],
      count: (sinkName, outcome, n) => counts.push(`${sinkName}:${outcome}:${n}`),
    });
    const r1 = await fanout.emit([sampleEvent('e1'), sampleEvent('e2')]);
    expect(r1.delivered.map((e) => e.id)).toEqual(['e1', 'e2']);
    // A replay after a crash: e1/e2 are known, only e3 goes out.
    const r2 = await fanout.emit([sampleEvent('e1'), sampleEvent('e2'), sampleEvent('e3')]);
    expect(r2).toMatchObject({ failed: [] });
    expect(kafka.got).toEqual([['e1', 'e2'], ['e3']]);
    expect(am.got).toEqual([['e1', 'e2'], ['e3']]);
    expect(counts).toEqual([
      'postgres:ok:2',
      'kafka:ok:2',
      'alertmanager:ok:2',
      'postgres:ok:3',
      'kafka:ok:1',
      'alertmanager:ok:1',
    ]);
  });

  it('keeps delivering to the other sinks when one fails or hangs', async () => {
    const kafka = sink('kafka', 'fail');
    const otlp = sink('otlp', 'hang');
    const am = sink('alertmanager');
    const warnings: string[] = [];
    const fanout = new EventFanout({
      storage: memoryStorage(),
      buffer,
      sinks: [kafka.s, otlp.s, am.s],
      sinkTimeoutMs: 100,
      warn: (m) => warnings.push(m),
    });
    const r = await fanout.emit([sampleEvent('e1')]);
    expect(r.failed.sort()).toEqual(['kafka', 'otlp']);
    expect(am.got).toEqual([['e1']]);
    expect(warnings.join('\n')).toMatch(/kafka down/);
    expect(warnings.join('\n')).toMatch(/otlp took longer than 100 ms/);
  });

  it('still alerts when storage is down, buffers on disk and stores everything once, in order', async () => {
    let down = true;
    const storage = memoryStorage(() => down);
    const am = sink('alertmanager');
    const counts: string[] = [];
    const fanout = new EventFanout({
      storage,
      buffer,
      sinks: [am.s],
      retry: { initialMs: 20, maxMs: 50 },
      count: (s, o, n) => counts.push(`${s}:${o}:${n}`),
    });
    try {
      expect((await fanout.emit([sampleEvent('e1'), sampleEvent('e2')])).failed).toEqual([]);
      // e2 again (a unit scored twice) and a new one, behind the backlog.
      await fanout.emit([sampleEvent('e2'), sampleEvent('e3')]);
      expect(am.got).toEqual([
        ['e1', 'e2'],
        ['e2', 'e3'],
      ]);
      expect(fanout.backlog).toBe(2);
      expect(storage.stored).toEqual([]);
      down = false;
      await waitFor(async () => (fanout.backlog === 0 ? true : undefined), 5000, 'the backlog');
      expect(storage.stored).toEqual(['e1', 'e2', 'e3']);
      expect(counts).toEqual([
        'postgres:error:2',
        'postgres:buffered:2',
        'alertmanager:ok:2',
        'postgres:buffered:2',
        'alertmanager:ok:2',
        'postgres:ok:2',
        'postgres:ok:2',
      ]);
    } finally {
      await fanout.close();
    }
  });

  it('writes what a previous process left in the buffer', async () => {
    expect(await buffer.append([sampleEvent('left')])).toBe(true);
    const storage = memoryStorage();
    const fanout = new EventFanout({ storage, buffer: await DiskBuffer.open(dir, 1_000_000), sinks: [] });
    await waitFor(async () => (fanout.backlog === 0 ? true : undefined), 5000, 'the backlog');
    expect(storage.stored).toEqual(['left']);
    await fanout.close();
  });

  it('drops a buffered batch the database refuses as data, and goes on with the next', async () => {
    let down = true;
    const storage = memoryStorage(() => down);
    const refusing = {
      async insertAnomalies(events: AnomalyEvent[]): Promise<InsertResult> {
        if (!down && events.some((e) => e.id === 'bad'))
          throw Object.assign(new Error('invalid input syntax'), { code: '22P02' });
        return storage.insertAnomalies(events);
      },
    };
    const counts: string[] = [];
    const warnings: string[] = [];
    const fanout = new EventFanout({
      storage: refusing,
      buffer,
      sinks: [],
      retry: { initialMs: 20, maxMs: 50 },
      count: (s, o, n) => counts.push(`${s}:${o}:${n}`),
      warn: (m) => warnings.push(m),
    });
    try {
      await fanout.emit([sampleEvent('bad')]);
      await fanout.emit([sampleEvent('good')]);
      down = false;
      await waitFor(async () => (fanout.backlog === 0 ? true : undefined), 5000, 'the backlog');
      expect(storage.stored).toEqual(['good']);
      expect(counts).toContain('postgres:dropped:1');
      expect(warnings.join('\n')).toMatch(/storage refused 1 buffered events: invalid input syntax/);
    } finally {
      await fanout.close();
    }
  });

  it('skips a damaged buffer entry instead of stalling behind it', async () => {
    await writeFile(path.join(dir, '0000000000000001.json'), '[{"id":');
    const reopened = await DiskBuffer.open<AnomalyEvent[]>(dir, 1_000_000);
    await reopened.append([sampleEvent('after')]);
    const storage = memoryStorage();
    const warnings: string[] = [];
    const fanout = new EventFanout({ storage, buffer: reopened, sinks: [], warn: (m) => warnings.push(m) });
    await waitFor(async () => (fanout.backlog === 0 ? true : undefined), 5000, 'the backlog');
    expect(storage.stored).toEqual(['after']);
    expect(warnings.join('\n')).toMatch(/unreadable storage buffer entry/);
    await fanout.close();
  });

  it('says so when the buffer is full, and still alerts', async () => {
    const small = await DiskBuffer.open<AnomalyEvent[]>(path.join(dir, 'small'), 100);
    const am = sink('alertmanager');
    const counts: string[] = [];
    const warnings: string[] = [];
    const fanout = new EventFanout({
      storage: memoryStorage(() => true),
      buffer: small,
      sinks: [am.s],
      count: (s, o, n) => counts.push(`${s}:${o}:${n}`),
      warn: (m) => warnings.push(m),
    });
    await fanout.emit([sampleEvent('big')]);
    expect(counts).toContain('postgres:dropped:1');
    expect(warnings.join('\n')).toMatch(/buffer full .* 1 anomaly events not stored/);
    expect(am.got).toEqual([['big']]);
    expect(fanout.backlog).toBe(0);
    await fanout.close();
  });

  it('counts outcomes in logsieve_events_emitted_total', async () => {
    const metrics = new Metrics();
    const { port } = await metrics.listen(0);
    try {
      const fanout = new EventFanout({
        storage: memoryStorage(),
        buffer,
        sinks: [sink('kafka', 'fail').s, sink('otlp').s],
        count: (s, o, n) => metrics.eventsEmitted(s, o, n),
      });
      await fanout.emit([sampleEvent('e1'), sampleEvent('e2')]);
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(text).toContain('logsieve_events_emitted_total{sink="postgres",outcome="ok"} 2');
      expect(text).toContain('logsieve_events_emitted_total{sink="kafka",outcome="error"} 2');
      expect(text).toContain('logsieve_events_emitted_total{sink="otlp",outcome="ok"} 2');
    } finally {
      await metrics.close();
    }
  });
});
