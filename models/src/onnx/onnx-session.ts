import * as ort from 'onnxruntime-node';
import type { Matrix } from '../matrix';

/** One model loaded in onnxruntime-node: single-threaded (the service scales out, not up). */
export async function createSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
}

/**
 * Runs a feature-vector model over a whole matrix in micro-batches (one onnxruntime call per
 * batch: a call costs tens of microseconds, so per-row calls would dominate). Returns the
 * requested outputs concatenated over the batches.
 */
export async function runMatrix(
  session: ort.InferenceSession,
  X: Matrix,
  outputs: string[],
  batch = 2048,
): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array[]> = Object.fromEntries(outputs.map((o) => [o, []]));
  for (let start = 0; start < X.rows; start += batch) {
    const n = Math.min(batch, X.rows - start);
    const data = X.data.subarray(start * X.cols, (start + n) * X.cols);
    const res = await session.run({ X: new ort.Tensor('float32', data, [n, X.cols]) }, outputs);
    for (const o of outputs) out[o]!.push(res[o]!.data as Float32Array);
  }
  return Object.fromEntries(outputs.map((o) => [o, concat(out[o]!)]));
}

function concat(parts: Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0]!;
  const all = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.length;
  }
  return all;
}

export function checkFinite(X: Matrix, what: string): void {
  for (let i = 0; i < X.data.length; i++) {
    if (!Number.isFinite(X.data[i]!))
      throw new Error(`${what}: value at row ${Math.floor(i / X.cols)}, column ${i % X.cols} is not finite`);
  }
}
