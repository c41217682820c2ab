import { describe, expect, it } from 'vitest';
import { EventVocabulary } from './event-vocabulary';
import { START_ID, UNKNOWN_ID } from './lstm-weights';

describe('EventVocabulary', () => {
  it('numbers training keys from 2 in first-seen order and maps the rest to unknown', () => {
    const v = EventVocabulary.fromSequences([
      ['a1', 'b2'],
      ['b2', 'c3'],
    ]);
    expect(v.size).toBe(5);
    expect(v.keys()).toEqual(['a1', 'b2', 'c3']);
    expect(v.encode(['c3', 'zz', 'a1'])).toEqual([4, UNKNOWN_ID, 2]);
    expect([v.key(START_ID), v.key(UNKNOWN_ID), v.key(3)]).toEqual(['<start/end>', '<unknown>', 'b2']);
    expect(() => v.key(5)).toThrow(/no id 5/);
  });

  it('round-trips through its key list and treats numeric keys as strings', () => {
    const v = new EventVocabulary(new EventVocabulary([5, 9, 5]).keys());
    expect(v.encode([9, '5', 7])).toEqual([3, 2, UNKNOWN_ID]);
  });
});
