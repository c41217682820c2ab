/** Values kept exactly at each end (the tail is where a threshold lies). */
const EXACT = 16;
/** Quantiles kept of the body. */
const BODY = 33;

/**
 * The distribution of one slot's training values in little space: its `EXACT` smallest and largest
 * values as they were, the rest as quantiles. Sizes are bimodal (full blocks and the short last
 * block of each file) and latencies heavy-tailed, so a normal curve puts the ordinary short block
 * ten decades out; the values themselves say how rare it is.
 */
export interface ValueDistributionJSON {
  n: number;
  low: number[];
  body: number[];
  high: number[];
}

export class ValueDistribution {
  private constructor(private readonly d: ValueDistributionJSON) {}

  static fit(values: ArrayLike<number>): ValueDistribution {
    const sorted = Float64Array.from(values).sort();
    const n = sorted.length;
    if (n === 0) throw new Error('a value distribution needs at least one value');
    const at = (q: number) => sorted[Math.round(q * (n - 1))]!;
    return new ValueDistribution({
      n,
      low: Array.from(sorted.subarray(0, Math.min(EXACT, n))),
      body: Array.from({ length: BODY }, (_, i) => at(i / (BODY - 1))),
      high: Array.from(sorted.subarray(Math.max(0, n - EXACT))),
    });
  }

  static fromJSON(json: ValueDistributionJSON): ValueDistribution {
    return new ValueDistribution(json);
  }

  toJSON(): ValueDistributionJSON {
    return this.d;
  }

  /**
   * Decades of surprise of `x`, two-sided: -log10 of twice its smaller tail share, counted as a
   * conformal p-value (never below 1/(n+1) inside the range). Past the smallest or largest value
   * it grows one e-fold per tail scale: the exponential tail whose k largest values would lie as far
   * apart as the k kept ones do (floored at `minScale`), so a value far outside stays far more
   * surprising than one just outside, and a long tail (short blocks of every size) extends gently.
   */
  surprise(x: number, minScale: number): number {
    const { n, low, high } = this.d;
    const edge = Math.log10((n + 1) / 2);
    const k = low.length;
    if (x < low[0]!)
      return edge + ((low[0]! - x) / tailScale(low[k - 1]! - low[0]!, k, minScale)) * Math.LOG10E;
    const top = high[high.length - 1]!;
    if (x > top) return edge + ((x - top) / tailScale(top - high[0]!, high.length, minScale)) * Math.LOG10E;
    const tail = Math.min(this.shareAtMost(x), this.shareAtLeast(x));
    return Math.max(0, -Math.log10(Math.min(1, (2 * (tail * n + 1)) / (n + 1))));
  }

  private shareAtMost(x: number): number {
    const { n, low, body } = this.d;
    if (x < low[low.length - 1]!) return low.filter((v) => v <= x).length / n;
    let j = 0;
    while (j + 1 < body.length && body[j + 1]! <= x) j++;
    if (j + 1 === body.length) return 1;
    return (j + (x - body[j]!) / (body[j + 1]! - body[j]!)) / (body.length - 1);
  }

  private shareAtLeast(x: number): number {
    const { n, high, body } = this.d;
    if (x > high[0]!) return high.filter((v) => v >= x).length / n;
    let j = body.length - 1;
    while (j > 0 && body[j - 1]! >= x) j--;
    if (j === 0) return 1;
    return (body.length - 1 - j + (body[j]! - x) / (body[j]! - body[j - 1]!)) / (body.length - 1);
  }
}

/** The scale of an exponential tail whose k most extreme values spread `spread` apart: the expected
 * spread is scale x (1 + 1/2 + ... + 1/(k-1)). */
function tailScale(spread: number, k: number, minScale: number): number {
  let h = 0;
  for (let i = 1; i < k; i++) h += 1 / i;
  return h > 0 ? Math.max(minScale, spread / h) : minScale;
}
