import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../record';
import { TemplateStage } from './template-stage';

const rec = (stream: string, body: string): LogRecord => ({
  stream,
  line: 1,
  timeMs: 0,
  severityNumber: 9,
  severityText: 'INFO',
  body,
});

describe('TemplateStage', () => {
  it('keeps trained template ids frozen and gives unknown lines novel templates of their own', () => {
    const learn = new TemplateStage('learn');
    for (let i = 0; i < 20; i++) learn.mine(rec('api', `user ${i} logged in from 10.0.0.${i}`));
    const trained = learn.mine(rec('api', 'user 99 logged in from 10.0.0.99')).templateId;
    const frozen = new TemplateStage('frozen', learn.snapshot());
    const known = frozen.mine(rec('api', 'user 5 logged in from 10.0.0.7'));
    expect(known.templateId).toBe(trained);
    const a = frozen.mine(rec('api', 'disk /dev/sda1 is full, 0 bytes left'));
    const b = frozen.mine(rec('api', 'disk /dev/sdb2 is full, 0 bytes left'));
    expect(a.templateId).not.toBe(trained);
    expect(a.templateId).toBe(b.templateId);
    expect(frozen.templateText(a.templateId!)).toContain('disk');
    // The trained store is unchanged by detection.
    expect(frozen.snapshot()['api']).toEqual(learn.snapshot()['api']);
  });

  it('mines each stream with its own miner', () => {
    const s = new TemplateStage('learn');
    s.mine(rec('a', 'started worker 1'));
    s.mine(rec('b', 'started worker 2'));
    expect(s.streamNames().sort()).toEqual(['a', 'b']);
    expect(s.templateCount()).toBe(2);
  });
});
