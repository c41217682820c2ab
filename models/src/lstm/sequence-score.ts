/** One event of a sequence that the model did not expect. */
export interface SurprisingEvent {
  /** 0-based position in the sequence. */
  index: number;
  /** The vocabulary id that occurred. */
  event: number;
  /** The probability the model gave it, given everything before it. */
  probability: number;
}

/** DeepLog-style summary of how well a sequence followed the model's next-event predictions. */
export interface SequenceScore {
  events: number;
  /** Sum of -log p over the events. */
  nll: number;
  /** nll / events (0 for an empty sequence). */
  meanNll: number;
  /** Largest -log p of any single event. */
  maxSurprise: number;
  /** Events that were not among the model's top-k predictions. */
  topkMisses: number;
  /** The least expected events, least probable first. */
  worst: SurprisingEvent[];
}

/** Float32 softmax can underflow to 0; flooring p keeps -log p finite and equal across runtimes. */
export const MIN_PROBABILITY = 1e-30;

/** Folds per-event predictions into a SequenceScore; the TypeScript and ONNX paths share it. */
export class SurpriseAccumulator {
  private events = 0;
  private nll = 0;
  private maxSurprise = 0;
  private misses = 0;
  private readonly worst: SurprisingEvent[] = [];

  constructor(
    private readonly topK: number,
    private readonly keepWorst: number,
  ) {}

  /** probs[offset .. offset + vocab) is the predicted distribution for this event. */
  observe(index: number, event: number, probs: ArrayLike<number>, offset: number, vocab: number): void {
    const p = probs[offset + event]!;
    let above = 0;
    for (let j = 0; j < vocab; j++) if (probs[offset + j]! > p) above++;
    if (above >= this.topK) this.misses++;
    const surprise = -Math.log(Math.max(p, MIN_PROBABILITY));
    this.events++;
    this.nll += surprise;
    if (surprise > this.maxSurprise) this.maxSurprise = surprise;
    if (this.keepWorst > 0) this.keepIfWorst({ index, event, probability: p });
  }

  result(): SequenceScore {
    return {
      events: this.events,
      nll: this.nll,
      meanNll: this.events ? this.nll / this.events : 0,
      maxSurprise: this.maxSurprise,
      topkMisses: this.misses,
      worst: [...this.worst],
    };
  }

  private keepIfWorst(e: SurprisingEvent): void {
    const w = this.worst;
    if (w.length === this.keepWorst && e.probability >= w[w.length - 1]!.probability) return;
    let at = w.length;
    while (at > 0 && w[at - 1]!.probability > e.probability) at--;
    w.splice(at, 0, e);
    if (w.length > this.keepWorst) w.pop();
  }
}
