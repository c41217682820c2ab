import { describe, expect, it } from 'vitest';
import type { AnomalyEvent } from '../anomaly-event';
import type { InsertResult } from '../store/storage';
import { EventFanout, StorageFailedError } from './event-fanout';
import type { EventSink } from './event-sink';
import { Metrics, type SinkName } from './metrics';
import { sampleEvent } from './testing/sample-event';

/** Storage's insert contract: ids seen before are not new. */
function memoryStorage(fail = () => false) {
  const ids = new Set<string>();
  return {
    async insertAnomalies(events: AnomalyEvent[]): Promise<InsertResult> {
      if (fail()) throw new Error('connection refused');
      const newIds = events.filter((e) => !ids.has(e.id)).map((e) => e.id);
      newIds.forEach((id) => ids.add(id));
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
  it('stores first and forwards only events storage had not seen', async () => {
    const kafka = sink('kafka');
    const am = sink('alertmanager');
    const counts: string[] = [];
    const fanout = new EventFanout({
      storage: memoryStorage(),
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

  it('still alerts when storage is down, then rejects so offsets are not committed', async () => {
    let down = true;
    const am = sink('alertmanager');
    const fanout = new EventFanout({ storage: memoryStorage(() => down), sinks: [am.s] });
    await expect(fanout.emit([sampleEvent('e1')])).rejects.toBeInstanceOf(StorageFailedError);
    expect(am.got).toEqual([['e1']]);
    down = false;
    await fanout.emit([sampleEvent('e1')]);
    expect(am.got).toEqual([['e1'], ['e1']]);
  });

  it('counts outcomes in logsieve_events_emitted_total', async () => {
    const metrics = new Metrics();
    const { port } = await metrics.listen(0);
    try {
      const fanout = new EventFanout({
        storage: memoryStorage(),
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
