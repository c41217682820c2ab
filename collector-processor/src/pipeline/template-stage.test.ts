import { describe, expect, it } from 'vitest';
import { templateWord } from '../mine/testing/distinct-templates';
import type { LogRecord } from '../record';
import { OVERFLOW_TEMPLATE, OVERFLOW_TEMPLATE_ID, TemplateStage } from './template-stage';

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

describe('TemplateStage at limits.maxTemplatesPerStream', () => {
  it('stops learning at the limit, maps unmatched lines to the overflow template and counts them', () => {
    const overflowed: string[] = [];
    const stage = new TemplateStage('learn', {}, undefined, {
      maxTemplatesPerStream: 10,
      onOverflow: (s) => overflowed.push(s),
    });
    const ids = new Set<string>();
    for (let i = 0; i < 500; i++)
      ids.add(stage.mine(rec('api', `${templateWord(i)} started on host`)).templateId!);
    expect(stage.templateCount()).toBe(10);
    expect(overflowed).toHaveLength(490);
    expect(new Set(overflowed)).toEqual(new Set(['api']));
    expect(ids.size).toBe(11);
    expect(ids.has(OVERFLOW_TEMPLATE_ID)).toBe(true);
    // Lines of a known template still join it (and widen it) at the limit.
    const known = stage.mine(rec('api', `${templateWord(3)} started on host`));
    expect(known.templateId).not.toBe(OVERFLOW_TEMPLATE_ID);
    expect(overflowed).toHaveLength(490);
    // Another stream has a limit of its own.
    expect(stage.mine(rec('worker', 'job started')).templateId).not.toBe(OVERFLOW_TEMPLATE_ID);
  });

  it('counts trained and novel templates together when frozen', () => {
    const learn = new TemplateStage('learn');
    for (let i = 0; i < 6; i++) learn.mine(rec('api', `${templateWord(i)} started on host`));
    let overflow = 0;
    const frozen = new TemplateStage('frozen', learn.snapshot(), undefined, {
      maxTemplatesPerStream: 8,
      onOverflow: () => overflow++,
    });
    const novel = [6, 7, 8, 9].map(
      (i) => frozen.mine(rec('api', `${templateWord(i)} started on host`)).templateId,
    );
    expect(novel.slice(0, 2)).not.toContain(OVERFLOW_TEMPLATE_ID);
    expect(novel.slice(2)).toEqual([OVERFLOW_TEMPLATE_ID, OVERFLOW_TEMPLATE_ID]);
    expect(overflow).toBe(2);
    expect(frozen.templateText(OVERFLOW_TEMPLATE_ID)).toBe(OVERFLOW_TEMPLATE);
    // Trained templates still match.
    expect(frozen.mine(rec('api', `${templateWord(2)} started on host`)).templateId).not.toBe(
      OVERFLOW_TEMPLATE_ID,
    );
  });
});
