import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../emit/testing/daemon';
import { OverloadedError } from '../ingest/overloaded-error';
import type { LogRecord } from '../record';
import { LivePipeline, type PipelineObserver } from './live-pipeline';
import { PROTOTYPE_NAMES } from './testing/prototype-names';

const rec = (stream: string, body: string): LogRecord => ({
  stream,
  line: 1,
  timeMs: null,
  severityNumber: 0,
  severityText: '',
  body,
  raw: body,
});

/** A record every stage fails on: reading its body throws. */
const poisoned = (stream: string): LogRecord =>
  Object.defineProperty({ ...rec(stream, '') }, 'body', {
    get() {
      throw new Error('poisoned record');
    },
  });

// One record must never stop the pipeline: a record a stage fails on is dropped and counted, and a
// failure of the loop itself fails readiness and refuses records (503) until the loop restarts.
describe('LivePipeline failures', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'logsieve-live-failure-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const started = (observer: PipelineObserver) => {
    const p = new LivePipeline({
      unit: { kind: 'window', windowSeconds: 60 },
      modelsDir: path.join(dir, 'models'),
      queueCapacity: 10_000,
      baselineMinutes: 30,
      baselineMinUnits: 10,
      observer,
    });
    p.start();
    return p;
  };

  it('mines streams named like Object.prototype members, and the streams after them', async () => {
    const processed = new Map<string, number>();
    const errors: string[] = [];
    const p = started({
      processed: (s, n) => processed.set(s, (processed.get(s) ?? 0) + n),
      error: (err, where) => errors.push(`${where}: ${(err as Error).message}`),
    });
    await p.accept(
      PROTOTYPE_NAMES.map((name) => rec(name, 'x')),
      'otlp_http',
    );
    await p.accept([rec('canary', 'canary line 1')], 'rest');
    await p.drained();
    expect(errors).toEqual([]);
    expect(Object.fromEntries(processed)).toEqual(
      Object.fromEntries([...PROTOTYPE_NAMES, 'canary'].map((n) => [n, 1])),
    );
    expect(Object.keys(p.takeSnapshot().streams).sort()).toEqual([...PROTOTYPE_NAMES, 'canary'].sort());
    await p.stop();
  });

  it('drops a record a stage fails on, counted as pipeline_error, and processes the rest', async () => {
    const dropped: string[] = [];
    const processed: string[] = [];
    const p = started({
      dropped: (s, reason, n) => dropped.push(`${s}:${reason}:${n}`),
      mined: (r) => processed.push(r.body),
      error: () => {},
    });
    await p.accept([rec('api', 'before'), poisoned('api'), rec('api', 'after')], 'rest');
    await p.accept([rec('canary', 'canary line')], 'rest');
    await p.drained();
    expect(dropped).toEqual(['api:pipeline_error:1']);
    expect(processed).toEqual(['before', 'after', 'canary line']);
    expect(p.failure).toBeNull();
    await p.stop();
  });

  it('refuses records (unavailable) while the failed loop restarts, then processes the next batch', async () => {
    let failNext = true;
    const processed: string[] = [];
    const errors: string[] = [];
    const p = started({
      mined: (r) => processed.push(r.body),
      // A failure outside any one record: the loop itself fails.
      processed: () => {
        if (failNext) {
          failNext = false;
          throw new Error('stage down');
        }
      },
      error: (_err, where) => errors.push(where),
    });
    await p.accept([rec('api', 'first')], 'rest');
    // The failed batch is done with: nothing waits on it.
    await p.drained();
    await waitFor(async () => (p.failure ? true : undefined), 5000, 'the failure');
    expect(p.failure).toMatch(/stage down/);
    expect(errors).toEqual(['pipeline']);
    const refused = await p.accept([rec('api', 'refused')], 'rest').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OverloadedError);
    expect((refused as OverloadedError).unavailable).toBe(true);
    await waitFor(async () => (p.failure === null ? true : undefined), 10_000, 'the restart');
    await p.accept([rec('canary', 'canary line')], 'rest');
    await p.drained();
    expect(processed).toEqual(['first', 'canary line']);
    await p.stop();
  });
});
