import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import type { Matrix } from '../matrix';
import { checkFinite, createSession, runMatrix } from './onnx-session';

export interface CoalesceOptions {
  /** How long the first queued row waits for company before the batch runs. */
  windowMs?: number;
  /** A batch this full runs at once. */
  maxBatch?: number;
}

/**
 * A feature-vector model (input X float32 [N, D], output score float32 [N]) served from ONNX.
 * Whole matrices go through in micro-batches; single rows from a live stream are queued and
 * coalesced, because one onnxruntime call costs about as much as scoring a hundred rows.
 */
export class OnnxScorer {
  private queue: { row: Float32Array; resolve: (s: number) => void; reject: (e: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly windowMs: number;
  private readonly maxBatch: number;

  private constructor(
    readonly session: ort.InferenceSession,
    readonly dims: number,
    opts: CoalesceOptions,
  ) {
    this.windowMs = opts.windowMs ?? 1;
    this.maxBatch = opts.maxBatch ?? 1024;
  }

  /** Loads a model from its bytes or an .onnx path; the width comes from the model's X input. */
  static async load(model: Uint8Array | string, opts: CoalesceOptions = {}): Promise<OnnxScorer> {
    const bytes = typeof model === 'string' ? await readFile(model) : model;
    const session = await createSession(bytes);
    if (!session.inputNames.includes('X') || !session.outputNames.includes('score')) {
      await session.release();
      throw new Error(
        `not a feature-vector model: inputs [${session.inputNames}], outputs [${session.outputNames}]; expected X -> score`,
      );
    }
    const meta = session.inputMetadata.find((m) => m.name === 'X');
    const width = meta?.isTensor ? meta.shape[1] : undefined;
    if (typeof width !== 'number') {
      await session.release();
      throw new Error('model input X has no fixed feature width');
    }
    return new OnnxScorer(session, width, opts);
  }

  /** One raw onnxruntime call. */
  async run(feeds: Record<string, ort.Tensor>, outputs = ['score']): Promise<Record<string, ort.Tensor>> {
    return (await this.session.run(feeds, outputs)) as Record<string, ort.Tensor>;
  }

  /** Scores every row of X, one onnxruntime call per `batch` rows. */
  async scoreMatrix(X: Matrix, batch = 1024): Promise<Float32Array> {
    this.checkWidth(X.cols);
    checkFinite(X, 'scored matrix');
    if (X.rows === 0) return new Float32Array(0);
    return (await runMatrix(this.session, X, ['score'], batch))['score']!;
  }

  /** Scores one row; rows arriving within the coalescing window share one onnxruntime call. */
  async scoreRow(row: ArrayLike<number>): Promise<number> {
    this.checkWidth(row.length);
    const r = Float32Array.from(row);
    for (let i = 0; i < r.length; i++)
      if (!Number.isFinite(r[i]!)) throw new Error(`scored row: value at column ${i} is not finite`);
    return new Promise((resolve, reject) => {
      this.queue.push({ row: r, resolve, reject });
      if (this.queue.length >= this.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.windowMs);
    });
  }

  /** Rejects queued rows and frees the native session. */
  async release(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const q of this.queue.splice(0)) q.reject(new Error('scorer released'));
    await this.session.release();
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue.splice(0);
    if (!batch.length) return;
    const data = new Float32Array(batch.length * this.dims);
    batch.forEach((q, i) => data.set(q.row, i * this.dims));
    this.session.run({ X: new ort.Tensor('float32', data, [batch.length, this.dims]) }, ['score']).then(
      (res) => {
        const s = res['score']!.data as Float32Array;
        batch.forEach((q, i) => q.resolve(s[i]!));
      },
      (e: unknown) => batch.forEach((q) => q.reject(e)),
    );
  }

  private checkWidth(cols: number): void {
    if (cols !== this.dims) throw new Error(`model expects ${this.dims} features, got ${cols}`);
  }
}
