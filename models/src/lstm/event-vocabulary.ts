import { START_ID, UNKNOWN_ID } from './lstm-weights';

/**
 * Maps a stream's event keys (template ids) to the LSTM's vocabulary ids: keys seen in
 * training become 2, 3, ... in first-seen order; anything else becomes UNKNOWN_ID.
 */
export class EventVocabulary {
  private readonly ids = new Map<string, number>();

  constructor(keys: readonly (string | number)[] = []) {
    for (const k of keys) this.add(k);
  }

  static fromSequences(seqs: Iterable<readonly (string | number)[]>): EventVocabulary {
    const v = new EventVocabulary();
    for (const s of seqs) for (const k of s) v.add(k);
    return v;
  }

  /** Vocabulary size including the start and unknown ids: the model's vocabSize. */
  get size(): number {
    return this.ids.size + 2;
  }

  /** The known keys in id order (key i has id i + 2), for saving with a bundle. */
  keys(): string[] {
    return [...this.ids.keys()];
  }

  encode(seq: readonly (string | number)[]): number[] {
    return seq.map((k) => this.ids.get(String(k)) ?? UNKNOWN_ID);
  }

  /** The key behind an id, for explanations ('<start/end>' and '<unknown>' for the reserved ids). */
  key(id: number): string {
    if (id === START_ID) return '<start/end>';
    if (id === UNKNOWN_ID) return '<unknown>';
    const key = this.keys()[id - 2];
    if (key === undefined) throw new Error(`vocabulary has no id ${id}`);
    return key;
  }

  private add(k: string | number): void {
    const key = String(k);
    if (!this.ids.has(key)) this.ids.set(key, this.ids.size + 2);
  }
}
