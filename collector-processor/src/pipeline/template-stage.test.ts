import { describe, expect, it } from 'vitest';
import { templateWord } from '../mine/testing/distinct-templates';
import type { LogRecord } from '../record';
import { PROTOTYPE_NAMES } from './testing/prototype-names';
import {
  OVERFLOW_TEMPLATE,
  OVERFLOW_TEMPLATE_ID,
  TemplateStage,
  type OverflowReason,
} from './template-stage';

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
      onOverflow: (s, reason) => {
        expect(reason).toBe('stream_limit');
        overflowed.push(s);
      },
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

describe('TemplateStage with stream names that are Object.prototype members', () => {
  it('mines them as ordinary streams in learn and frozen mode, and keeps them in its snapshot', () => {
    const learn = new TemplateStage('learn');
    for (const name of [...PROTOTYPE_NAMES, 'api'])
      for (let i = 0; i < 5; i++) learn.mine(rec(name, `user ${i} logged in from ${name}`));
    const store = learn.snapshot();
    expect(Object.keys(store).sort()).toEqual([...PROTOTYPE_NAMES, 'api'].sort());
    // Through the bundle's JSON and back, as a served model reads it.
    const frozen = new TemplateStage('frozen', JSON.parse(JSON.stringify(store)));
    for (const name of PROTOTYPE_NAMES) {
      const known = frozen.mine(rec(name, `user 9 logged in from ${name}`));
      expect(known.template).toBe(`user <*> logged in from ${name}`);
    }
    // A frozen stage whose store lacks them: they start with no trained templates.
    const empty = new TemplateStage('frozen', JSON.parse('{"api":' + JSON.stringify(store['api']) + '}'));
    for (const name of PROTOTYPE_NAMES)
      expect(empty.mine(rec(name, 'x')).templateId).not.toBe(OVERFLOW_TEMPLATE_ID);
    expect(empty.mine(rec('api', 'user 3 logged in from api')).template).toBe('user <*> logged in from api');
  });
});

describe('TemplateStage at limits.maxTemplatesTotal', () => {
  it('refuses new templates across streams past the budget, counted, while known ones still match', () => {
    const refused: [string, OverflowReason][] = [];
    const stage = new TemplateStage('learn', {}, undefined, {
      maxTemplatesPerStream: 50,
      maxTemplatesTotal: 120,
      onOverflow: (s, reason) => refused.push([s, reason]),
    });
    // 600 streams of distinct lines, as in the flood of the issue, scaled down.
    for (let i = 0; i < 6000; i++) stage.mine(rec(`s${i % 600}`, `${templateWord(i)} started on host`));
    expect(stage.templateCount()).toBe(120);
    expect(refused).toHaveLength(6000 - 120);
    expect(new Set(refused.map(([, r]) => r))).toEqual(new Set(['total_limit']));
    // A line of a template held still joins it; a stream new to the stage gets the overflow template.
    expect(stage.mine(rec('s0', `${templateWord(0)} started on host`)).templateId).not.toBe(
      OVERFLOW_TEMPLATE_ID,
    );
    expect(stage.mine(rec('late', 'brand new line')).templateId).toBe(OVERFLOW_TEMPLATE_ID);
    // Forgetting a stream (its partition moved away) frees its share of the budget.
    stage.dropStream('s0');
    expect(stage.templateCount()).toBeLessThan(120);
    expect(stage.mine(rec('late', 'brand new line')).templateId).not.toBe(OVERFLOW_TEMPLATE_ID);
  });

  it('counts trained, novel and restored templates in frozen mode, ', () => {
    const learn = new TemplateStage('learn');
    for (let i = 0; i < 10; i++) learn.mine(rec(`t${i % 2}`, `${templateWord(i)} started on host`));
    const refused: OverflowReason[] = [];
    const frozen = new TemplateStage('frozen', learn.snapshot(), undefined, {
      maxTemplatesTotal: 14,
      onOverflow: (_s, r) => refused.push(r),
    });
    frozen.mine(rec('t0', `${templateWord(0)} started on host`));
    frozen.mine(rec('t1', `${templateWord(1)} started on host`));
    expect(frozen.templateCount()).toBe(10);
    for (let i = 100; i < 110; i++) frozen.mine(rec('n', `${templateWord(i)} started on host`));
    expect(frozen.templateCount()).toBe(14);
    expect(refused).toEqual(Array(6).fill('total_limit'));
    // A restored novel miner replaces what the stream held instead of adding to it.
    frozen.importStream('n', frozen.exportStream('n')!);
    expect(frozen.templateCount()).toBe(14);
  });

  it('keeps the text of at most maxTemplatesTotal template ids, the oldest going first', () => {
    const learn = new TemplateStage('learn');
    for (let i = 0; i < 3; i++) learn.mine(rec('a', `${templateWord(i)} started on host`));
    const frozen = new TemplateStage('frozen', learn.snapshot(), undefined, { maxTemplatesTotal: 3 });
    const ids = [0, 1, 2].map((i) => frozen.mine(rec('a', `${templateWord(i)} started on host`)).templateId!);
    expect(ids.map((id) => frozen.templateText(id))).not.toContain(undefined);
    expect(frozen.mine(rec('a', 'never seen before')).templateId).toBe(OVERFLOW_TEMPLATE_ID);
    expect(frozen.templateText(OVERFLOW_TEMPLATE_ID)).toBe(OVERFLOW_TEMPLATE);
    expect(frozen.templateText(ids[0]!)).toBeUndefined();
    // A template still in use has its text back with its next line.
    frozen.mine(rec('a', `${templateWord(0)} started on host`));
    expect(frozen.templateText(ids[0]!)).toBe(`${templateWord(0)} started on host`);
  });
});
