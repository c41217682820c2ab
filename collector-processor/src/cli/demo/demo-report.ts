import type { DetectSummary, UnitResult } from '../../pipeline/detector';
import type { TrainSummary } from '../../pipeline/trainer';
import type { DemoDataset, DemoIncident } from './demo-generator';

export interface Finding {
  result: UnitResult;
  lines: string[];
}

interface Incident {
  stream: string;
  startMs: number;
  endMs: number;
  score: number;
  findings: Finding[];
}

const GAP_MS = 2 * 60_000;

/** Merges anomalous units of a stream that are close in time into one incident. */
export function groupFindings(findings: Finding[]): Incident[] {
  const sorted = [...findings].sort(
    (a, b) =>
      a.result.stream.localeCompare(b.result.stream) ||
      Date.parse(a.result.start) - Date.parse(b.result.start),
  );
  const out: Incident[] = [];
  for (const f of sorted) {
    const s = Date.parse(f.result.start);
    const e = Date.parse(f.result.end);
    const last = out[out.length - 1];
    if (last && last.stream === f.result.stream && s - last.endMs <= GAP_MS) {
      last.endMs = Math.max(last.endMs, e);
      last.score = Math.max(last.score, f.result.score);
      last.findings.push(f);
    } else out.push({ stream: f.result.stream, startMs: s, endMs: e, score: f.result.score, findings: [f] });
  }
  return out.sort((a, b) => a.startMs - b.startMs);
}

/** Streams are named after their files (`inventory.log`); incidents after their service. */
function overlaps(i: Incident, d: DemoIncident): boolean {
  return i.stream.replace(/\.log$/, '') === d.stream && i.startMs < d.endMs + 60_000 && i.endMs > d.startMs;
}

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

export function renderReport(r: {
  dir: string;
  data: DemoDataset;
  trained: TrainSummary;
  detected: DetectSummary;
  findings: Finding[];
  seconds: number;
}): string {
  const incidents = groupFindings(r.findings);
  const out: string[] = [];
  out.push('logsieve demo');
  out.push('=============');
  out.push(
    `Generated ${r.data.lines.train + r.data.lines.test} log lines from 6 services in 6 formats (nginx, JSON, logfmt, Java text, RFC 5424 and RFC 3164 syslog).`,
  );
  out.push(
    `Trained on the first ${r.data.lines.train} lines: ${r.trained.templates} templates, ${r.trained.units} one-minute windows, 5 models in ${r.trained.seconds} s.`,
  );
  for (const b of r.data.baselineIncidents)
    out.push(
      `The training part held an incident too (${hhmm(b.startMs)} ${b.stream}: ${b.description.replace(/^in the baseline: /, '')}).`,
    );
  out.push(`Left out of training as likely incidents: ${r.trained.leftOutUnits} window(s).`);
  out.push(
    `Scored the next ${r.detected.lines} lines: ${r.detected.units} windows, ${r.detected.anomalies} anomalous, grouped into ${incidents.length} incident(s).`,
  );
  out.push('');
  for (const [n, inc] of incidents.entries()) {
    const top = inc.findings.reduce((a, b) => (b.result.score > a.result.score ? b : a));
    out.push(
      `${n + 1}. ${hhmm(inc.startMs)}-${hhmm(inc.endMs)} UTC  ${inc.stream}  score ${inc.score.toFixed(0)} (${top.result.severity}), ${inc.findings.length} window(s)`,
    );
    out.push(`   why: ${top.result.explanation.summary}`);
    const models = Object.entries(top.result.models)
      .map(([m, s]) => `${m} ${Math.round(s)}`)
      .join(', ');
    out.push(`   models: ${models}`);
    for (const t of top.result.explanation.topTemplates.slice(0, 2)) {
      out.push(`   template: ${t.template}  (${t.count} here, ~${t.expected} normally)`);
    }
    for (const l of top.lines.slice(0, 2)) out.push(`   | ${l.length > 150 ? l.slice(0, 147) + '...' : l}`);
    out.push('');
  }
  const found = r.data.incidents.filter((d) => incidents.some((i) => overlaps(i, d)));
  const other = incidents.filter((i) => !r.data.incidents.some((d) => overlaps(i, d)));
  out.push(
    `Injected incidents found: ${found.length} of ${r.data.incidents.length}; other alerts: ${other.length}.`,
  );
  for (const d of r.data.incidents) {
    out.push(`  [${found.includes(d) ? 'x' : ' '}] ${hhmm(d.startMs)} ${d.stream}: ${d.description}`);
  }
  out.push('');
  out.push(`Files: ${r.dir} (train/, test/, model/, anomalies.jsonl). Done in ${r.seconds.toFixed(1)} s.`);
  return out.join('\n') + '\n';
}
