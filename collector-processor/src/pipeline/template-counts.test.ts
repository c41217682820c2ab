import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../record';
import { TemplateCounts } from './template-counts';
import { OVERFLOW_TEMPLATE, OVERFLOW_TEMPLATE_ID } from './template-stage';

/** A mined record of `stream` under template `id`, seen at `timeMs`. */
const mined = (stream: string, id: string, template: string, timeMs: number, raw: string): LogRecord => ({
  stream,
  line: 1,
  timeMs,
  severityNumber: 9,
  severityText: 'INFO',
  body: raw,
  raw,
  templateId: id,
  template,
});

describe('TemplateCounts', () => {
  it('keeps one entry per stream and template, with the latest time and the first example', () => {
    const c = new TemplateCounts();
    c.add(mined('api', 't1', 'GET <*>', 1000, 'GET /a'));
    c.add(mined('api', 't1', 'GET <*>', 3000, 'GET /b'));
    c.add(mined('db', 't1', 'GET <*>', 2000, 'GET /c'));
    expect(c.size).toBe(2);
    expect(c.take()).toEqual([
      { stream: 'api', id: 't1', template: 'GET <*>', countDelta: 2, seenAt: 3000, example: 'GET /a' },
      { stream: 'db', id: 't1', template: 'GET <*>', countDelta: 1, seenAt: 2000, example: 'GET /c' },
    ]);
    expect(c.size).toBe(0);
  });

  it('merges a batch that was not stored with what was counted since', () => {
    const c = new TemplateCounts();
    c.add(mined('api', 't1', 'GET <*>', 1000, 'GET /a'));
    c.add(mined('api', 't2', 'POST <*>', 1500, 'POST /x'));
    const failed = c.take();
    c.add(mined('api', 't1', 'GET <*>', 5000, 'GET /z'));
    c.putBack(failed);
    const again = c.take();
    expect(again.find((u) => u.id === 't1')).toMatchObject({ countDelta: 2, seenAt: 5000 });
    expect(again.find((u) => u.id === 't2')).toMatchObject({ countDelta: 1, seenAt: 1500 });
    expect(again.reduce((n, u) => n + u.countDelta, 0)).toBe(3);
  });

  it("past maxEntries counts new templates under their stream's overflow entry, also when put back", () => {
    const c = new TemplateCounts(3);
    for (let i = 0; i < 3; i++) c.add(mined('api', `t${i}`, `tpl ${i}`, 1000, `line ${i}`));
    for (let i = 3; i < 1000; i++)
      c.add(mined(i % 2 ? 'api' : 'db', `t${i}`, `tpl ${i}`, 1000 + i, `line ${i}`));
    expect(c.size).toBe(5);
    c.add(mined('api', 't0', 'tpl 0', 9000, 'line 0'));
    const batch = c.take();
    expect(batch.reduce((n, u) => n + u.countDelta, 0)).toBe(1001);
    expect(batch.find((u) => u.id === 't0')!.countDelta).toBe(2);
    const api = batch.find((u) => u.stream === 'api' && u.id === OVERFLOW_TEMPLATE_ID)!;
    expect(api).toMatchObject({ template: OVERFLOW_TEMPLATE, countDelta: 499, seenAt: 1999 });
    expect(batch.find((u) => u.stream === 'db' && u.id === OVERFLOW_TEMPLATE_ID)!.countDelta).toBe(498);
    // An outage: what is put back stays within the same bound.
    for (let i = 0; i < 50; i++) c.add(mined('web', `w${i}`, `w ${i}`, 2000, `w ${i}`));
    c.putBack(batch);
    expect(c.size).toBeLessThanOrEqual(3 + 3);
    expect(c.take().reduce((n, u) => n + u.countDelta, 0)).toBe(1051);
  });
});
