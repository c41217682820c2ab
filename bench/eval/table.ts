/**
 * The results table: one row per run (dataset x seed) with ensemble, every model named in the
 * detect output and the reference script as P/R/F1, realised false-alarm rates against the
 * configured one; a summary per group (minimum over seeds); per-stream false-alarm rates; the
 * scenario's per-incident report.
 */
import type { FalseAlarms, Result } from './core';
import type { Prf } from './metrics';

const f3 = (x: number) => x.toFixed(3);
const prfCell = (m: Prf) => `${f3(m.precision)} / ${f3(m.recall)} / **${f3(m.f1)}**`;
const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
const farCell = (f: FalseAlarms) => `${pct(f.rate)} (${f.flagged}/${f.normal})`;

/** Worst per-stream realised rate; streams with fewer than 20 normal units are skipped as unmeasurable. */
export function worstStream(r: Result): { stream: string; far: FalseAlarms } | null {
  let worst: { stream: string; far: FalseAlarms } | null = null;
  for (const [stream, far] of Object.entries(r.farByStream))
    if (far.normal >= 20 && (!worst || far.rate > worst.far.rate)) worst = { stream, far };
  return worst;
}

export function bestModel(r: Result): { model: string; f1: number } {
  let best = { model: '-', f1: 0 };
  for (const [model, m] of Object.entries(r.models)) if (m.f1 > best.f1) best = { model, f1: m.f1 };
  return best;
}

export function renderResults(results: Result[], header = ''): string {
  const models = [...new Set(results.flatMap((r) => Object.keys(r.models)))].sort();
  const out: string[] = [];
  if (header) out.push(header, '');
  out.push(
    '## Every run',
    '',
    "Cells are precision / recall / **F1** over the units. Per-model columns use the bundle's own " +
      "threshold (manifest `threshold.minScore`) on that model's 0-100 score; `script` is " +
      'bench/eval/baseline-script.ts. FAR = realised false-alarm rate on the normal units (flagged/normal); ' +
      '"worst stream" is the highest per-stream FAR among streams with >= 20 normal units. ' +
      '"unmatched" counts output units whose (stream, window) is no labelled unit: when it is large, ' +
      "logsieve misread the time (e.g. a yearless syslog stamp given the current year) and the row's " +
      'figures mean nothing but "missed".',
    '',
    `| dataset | seed | units (anomalous) | unmatched / output units | ensemble | ${models.join(' | ')} | script | configured FAR | FAR | FAR worst stream | script FAR | train s | detect s |`,
    `|---|---|---|---|---|${models.map(() => '---|').join('')}---|---|---|---|---|---|---|`,
  );
  for (const r of results) {
    const anomalous = r.ensemble.tp + r.ensemble.fn;
    const w = worstStream(r);
    out.push(
      `| ${r.name} | ${r.seed} | ${r.units} (${anomalous}) | ${r.unmatched ?? '-'} / ${r.outputUnits ?? '-'} | ${prfCell(r.ensemble)} | ${models
        .map((m) => (r.models[m] ? prfCell(r.models[m]!) : '-'))
        .join(
          ' | ',
        )} | ${prfCell(r.baseline)} | ${r.configuredRate === null ? '-' : pct(r.configuredRate)} | ${farCell(r.far)} | ${
        w ? `${w.stream}: ${farCell(w.far)}` : '-'
      } | ${farCell(r.baselineFar)} | ${r.trainSeconds.toFixed(1)} | ${r.detectSeconds.toFixed(1)} |`,
    );
  }

  out.push(
    '',
    '## Summary per group (minimum over seeds)',
    '',
    '| group | seeds | min ensemble F1 | min (ensemble F1 - best model F1) | min script F1 | max FAR / configured | max worst-stream FAR / configured |',
    '|---|---|---|---|---|---|---|',
  );
  const groups = new Map<string, Result[]>();
  for (const r of results) groups.set(r.group, [...(groups.get(r.group) ?? []), r]);
  for (const [g, rs] of groups) {
    const min = (xs: number[]) => Math.min(...xs);
    const max = (xs: number[]) => Math.max(...xs);
    const ratio = (x: number, r: Result) => (r.configuredRate ? x / r.configuredRate : NaN);
    out.push(
      `| ${g} | ${rs.map((r) => r.seed).join(', ')} | ${f3(min(rs.map((r) => r.ensemble.f1)))} | ${f3(
        min(rs.map((r) => r.ensemble.f1 - bestModel(r).f1)),
      )} | ${f3(min(rs.map((r) => r.baseline.f1)))} | ${max(rs.map((r) => ratio(r.far.rate, r))).toFixed(1)} | ${max(
        rs.map((r) => ratio(worstStream(r)?.far.rate ?? 0, r)),
      ).toFixed(1)} |`,
    );
  }

  out.push(
    '',
    '## Realised false-alarm rate per stream',
    '',
    '| dataset | seed | stream | FAR |',
    '|---|---|---|---|',
  );
  for (const r of results)
    for (const [s, f] of Object.entries(r.farByStream))
      out.push(`| ${r.name} | ${r.seed} | ${s} | ${farCell(f)} |`);

  const extraRows = results.flatMap((r) => (r.extra?.rows ?? []).map((x) => ({ r, x })));
  if (extraRows.length) {
    out.push('', '## Other units', '', '| measure | seed | ensemble | script |', '|---|---|---|---|');
    for (const { r, x } of extraRows)
      out.push(`| ${x.name} | ${r.seed} | ${prfCell(x.ensemble)} | ${prfCell(x.baseline)} |`);
  }
  for (const r of results)
    if (r.extra?.markdown) out.push('', `## ${r.name}, seed ${r.seed}`, '', r.extra.markdown);
  return out.join('\n') + '\n';
}
