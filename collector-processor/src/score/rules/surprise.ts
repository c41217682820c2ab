/**
 * Tail probabilities as surprises (-log10 p), computed in log space so that evidence far past
 * double precision (a stream that never logs FATAL suddenly logging 80 lines) still orders
 * correctly. Every rule states its statistic in these units, which makes rules comparable across
 * streams and volumes before calibration.
 */

const LN10 = Math.LN10;
const EPS = 1e-15;
const MAX_ITER = 10_000;
/** Largest surprise returned: far past any real evidence, but ordering is kept up to it. */
export const MAX_SURPRISE = 100_000;

/** ln Γ(x) for x > 0 (Lanczos, g = 7; relative error ~1e-15). */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ln of the regularised lower incomplete gamma P(a, x) (series) or upper Q(a, x) (fraction). */
function lnGammaSeries(a: number, x: number): number {
  let ap = a;
  let sum = 1 / a;
  let del = sum;
  for (let i = 0; i < MAX_ITER; i++) {
    ap++;
    del *= x / ap;
    sum += del;
    if (Math.abs(del) < Math.abs(sum) * EPS) break;
  }
  return Math.log(sum) - x + a * Math.log(x) - lnGamma(a);
}

function lnGammaFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / 1e-300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return Math.log(h) - x + a * Math.log(x) - lnGamma(a);
}

/** ln P(a, x) and ln Q(a, x), each accurate where it is the small one. */
function lnGammaPQ(a: number, x: number): { lnP: number; lnQ: number } {
  if (x <= 0) return { lnP: -Infinity, lnQ: 0 };
  if (x < a + 1) {
    const lnP = lnGammaSeries(a, x);
    return { lnP, lnQ: Math.log1p(-Math.exp(lnP)) };
  }
  const lnQ = lnGammaFraction(a, x);
  return { lnP: Math.log1p(-Math.exp(lnQ)), lnQ };
}

/** -log10 P(X >= k) for X ~ Poisson(mean); k may be fractional (a weighted count). */
export function poissonUpper(k: number, mean: number): number {
  if (k <= 0) return 0;
  if (mean <= 0) return MAX_SURPRISE;
  return clamp(-lnGammaPQ(k, mean).lnP / LN10);
}

/** -log10 P(X <= k) for X ~ Poisson(mean). */
export function poissonLower(k: number, mean: number): number {
  if (mean <= 0) return 0;
  if (k < 0) return MAX_SURPRISE;
  return clamp(-lnGammaPQ(k + 1, mean).lnQ / LN10);
}

/** ln of the regularised incomplete beta I_x(a, b) by its continued fraction (x small side). */
function lnBetaFraction(x: number, a: number, b: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < 1e-300) d = 1e-300;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < MAX_ITER; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = 1 + aa / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = 1 + aa / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  const front = lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log1p(-x) - Math.log(a);
  return front + Math.log(h);
}

/** ln I_x(a, b). */
function lnBetaInc(x: number, a: number, b: number): number {
  if (x <= 0) return -Infinity;
  if (x >= 1) return 0;
  if (x < (a + 1) / (a + b + 2)) return lnBetaFraction(x, a, b);
  return Math.log1p(-Math.exp(lnBetaFraction(1 - x, b, a)));
}

/**
 * -log10 P(X >= k) for X ~ Binomial(n, p). n and k may be fractional: rules divide both by an
 * overdispersion factor (quasi-binomial), which keeps the share and shrinks the evidence.
 */
export function binomialUpper(k: number, n: number, p: number): number {
  if (k <= 0) return 0;
  if (p <= 0) return MAX_SURPRISE;
  if (p >= 1 || k > n) return k > n ? MAX_SURPRISE : 0;
  return clamp(-lnBetaInc(p, k, n - k + 1) / LN10);
}

/** -log10 P(X <= k) for X ~ Binomial(n, p); fractional n and k as in `binomialUpper`. */
export function binomialLower(k: number, n: number, p: number): number {
  if (k >= n || p <= 0) return 0;
  if (k < 0) return MAX_SURPRISE;
  if (p >= 1) return MAX_SURPRISE;
  return clamp(-lnBetaInc(1 - p, n - k, k + 1) / LN10);
}

/**
 * Overdispersion of a count against a binomial share, across training units (quasi-binomial):
 * the mean Pearson contribution with the largest DISPERSION_TRIM share left out, so a template
 * that is bursty in normal operation needs a larger change, while one incident unit in the
 * baseline does not make every later change look ordinary. At least 1.
 */
export function dispersion(ks: ArrayLike<number>, ns: ArrayLike<number>, p: number): number {
  const contrib: number[] = [];
  for (let j = 0; j < ks.length; j++) {
    const n = ns[j]!;
    if (n <= 0) continue;
    const e = n * p;
    contrib.push(((ks[j]! - e) * (ks[j]! - e)) / Math.max(e * (1 - p), 1e-12));
  }
  if (contrib.length < 5) return 1;
  contrib.sort((a, b) => a - b);
  const keep = contrib.length - Math.ceil(contrib.length * DISPERSION_TRIM);
  let sum = 0;
  for (let j = 0; j < keep; j++) sum += contrib[j]!;
  return Math.min(1e4, Math.max(1, sum / keep));
}

/** Share of the most extreme training units left out of a dispersion estimate. */
export const DISPERSION_TRIM = 0.02;

/** -log10 P(Z >= z) for a standard normal Z (one-sided upper tail). */
export function normalUpper(z: number): number {
  if (z <= 0) return z === 0 ? Math.log10(2) : -Math.log10(1 - 0.5 * Math.exp(lnErfc(-z / Math.SQRT2)));
  return clamp(-(lnErfc(z / Math.SQRT2) - Math.LN2) / LN10);
}

/** ln erfc(x) for x >= 0 (Chebyshev fit, fractional error < 1.2e-7 everywhere). */
function lnErfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -z * z -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const ln = Math.log(t) + poly;
  return x >= 0 ? ln : Math.log(2 - Math.exp(ln));
}

function clamp(s: number): number {
  if (!(s > 0)) return 0;
  return s > MAX_SURPRISE ? MAX_SURPRISE : s;
}

/** Median of a numeric array (copied and sorted; fitting only, never on the scoring path). */
export function median(xs: ArrayLike<number>): number {
  return quantile(xs, 0.5);
}

export function quantile(xs: ArrayLike<number>, q: number): number {
  const a = Float64Array.from(xs).sort();
  if (a.length === 0) return NaN;
  const pos = (a.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return a[lo]! + (a[hi]! - a[lo]!) * (pos - lo);
}
