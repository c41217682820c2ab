import { Tensor, type InferenceSession } from 'onnxruntime-node';
import { withEnd, type LstmScoringConfig, type ScoreOptions } from './lstm-model';
import { START_ID } from './lstm-weights';
import { SurpriseAccumulator, type SequenceScore } from './sequence-score';

/** The part of an onnxruntime session the step graph needs. */
export type StepSession = Pick<InferenceSession, 'run'>;

/**
 * Scores whole sequences through the ONNX step graph (lstmStepGraph): sequences go side by side
 * in a batch, one run per time step, each starting from the start marker with zero state. The
 * batch holds the longest sequences first so finished ones drop off the end as time advances.
 */
export async function scoreSequences(
  session: StepSession,
  seqs: number[][],
  config: LstmScoringConfig,
  opts: ScoreOptions = {},
): Promise<SequenceScore[]> {
  const { vocabSize: V, hiddenSize: H, topK } = config;
  const targets = seqs.map((s, k) => {
    if (!Array.isArray(s)) throw new Error(`sequence ${k} is not an array`);
    for (const id of s) {
      if (!Number.isInteger(id) || id < 1 || id >= V)
        throw new Error(`event id ${id} is outside the vocabulary [1, ${V})`);
    }
    return config.endMarker ? withEnd(s) : s;
  });
  const acc = seqs.map(() => new SurpriseAccumulator(topK, opts.worst ?? 3));
  const order = targets.map((_, k) => k).sort((a, b) => targets[b]!.length - targets[a]!.length);
  const batchSize = opts.batchSize ?? 256;

  for (let start = 0; start < order.length; start += batchSize) {
    const batch = order.slice(start, start + batchSize);
    let h: Float32Array = new Float32Array(batch.length * H);
    let c: Float32Array = new Float32Array(batch.length * H);
    const maxLen = targets[batch[0]!]!.length;
    let active = batch.length;
    for (let t = 0; t < maxLen; t++) {
      while (targets[batch[active - 1]!]!.length <= t) active--;
      const events = new BigInt64Array(active);
      for (let r = 0; r < active; r++) events[r] = BigInt(t === 0 ? START_ID : targets[batch[r]!]![t - 1]!);
      const out = await session.run({
        event: new Tensor('int64', events, [active]),
        h_in: new Tensor('float32', h.length === active * H ? h : h.slice(0, active * H), [1, active, H]),
        c_in: new Tensor('float32', c.length === active * H ? c : c.slice(0, active * H), [1, active, H]),
      });
      const probs = out.probs!.data as Float32Array;
      h = out.h_out!.data as Float32Array;
      c = out.c_out!.data as Float32Array;
      for (let r = 0; r < active; r++) {
        const k = batch[r]!;
        acc[k]!.observe(t, targets[k]![t]!, probs, r * V, V);
      }
    }
  }
  return acc.map((a) => a.result());
}
