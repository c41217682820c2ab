import { dateTimeFormat } from '@grafana/data';

export function formatTime(iso: string): string {
  return dateTimeFormat(iso, { format: 'YYYY-MM-DD HH:mm:ss' });
}

/** Thousands separators; small fractions (false-alarm rates) keep two significant digits. */
export function formatNumber(n: number): string {
  if (n !== 0 && Math.abs(n) < 0.1) return n.toLocaleString('en-US', { maximumSignificantDigits: 2 });
  return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** Probabilities of unexpected events are tiny; scientific notation keeps them readable. */
export function formatProbability(p: number): string {
  return p >= 0.01 ? `${(p * 100).toFixed(1)}%` : p.toExponential(1);
}
