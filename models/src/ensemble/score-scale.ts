/**
 * The 0-100 anomaly score: 25 points per decade of tail probability, so 75 means "one normal unit
 * in a thousand scores this high" and 100 means one in ten thousand or rarer.
 */
export function scoreFromP(p: number): number {
  const s = -25 * Math.log10(Math.max(p, 1e-300));
  return Math.max(0, Math.min(100, s));
}

export function pFromScore(score: number): number {
  return 10 ** (-score / 25);
}
