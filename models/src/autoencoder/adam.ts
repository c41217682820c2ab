export interface AdamOptions {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Rescale the whole gradient when its L2 norm exceeds this (keeps LSTM training from exploding). */
  clipNorm?: number;
}

/** Adam over a fixed list of parameter arrays, updated in place. */
export class Adam {
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  private t = 0;
  /** Step size; trainers may lower it between steps (a decay schedule). */
  learningRate: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly clipNorm: number;

  constructor(
    private readonly params: Float64Array[],
    opts: AdamOptions = {},
  ) {
    this.m = params.map((p) => new Float64Array(p.length));
    this.v = params.map((p) => new Float64Array(p.length));
    this.learningRate = opts.learningRate ?? 1e-3;
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.epsilon = opts.epsilon ?? 1e-8;
    this.clipNorm = opts.clipNorm ?? Infinity;
  }

  step(grads: Float64Array[]): void {
    if (grads.length !== this.params.length)
      throw new Error(`adam: ${grads.length} gradients for ${this.params.length} parameters`);
    let scale = 1;
    if (Number.isFinite(this.clipNorm)) {
      let sq = 0;
      for (const g of grads) for (let i = 0; i < g.length; i++) sq += g[i]! * g[i]!;
      const norm = Math.sqrt(sq);
      if (norm > this.clipNorm) scale = this.clipNorm / norm;
    }
    this.t++;
    const { beta1, beta2, epsilon } = this;
    const stepSize = (this.learningRate * Math.sqrt(1 - beta2 ** this.t)) / (1 - beta1 ** this.t);
    for (let k = 0; k < this.params.length; k++) {
      const p = this.params[k]!;
      const g = grads[k]!;
      const m = this.m[k]!;
      const v = this.v[k]!;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]! * scale;
        m[i] = beta1 * m[i]! + (1 - beta1) * gi;
        v[i] = beta2 * v[i]! + (1 - beta2) * gi * gi;
        p[i] = p[i]! - (stepSize * m[i]!) / (Math.sqrt(v[i]!) + epsilon);
      }
    }
  }
}
