/**
 * Scoring for the issue-16 scenario. Units: 60-second windows per stream over the test part. A
 * window is anomalous when it overlaps an incident span of its stream. Reported beyond window
 * P/R/F1: per incident kind, whether any window of its streams was flagged within two windows of
 * its start (the window holding the start and the two after it); per benign change, how many
 * normal windows of the streams it changes were flagged while it lasted (the new endpoint lasts
 * eight hours: an alarm on auth.log then is no alarm the endpoint caused).
 */
import type { ExtraReport, Label } from '../core';
import { windowKey } from '../baseline-script';
import type { ScenarioLabels, StreamName } from './generate';

export function scenarioLabels(l: ScenarioLabels): Map<string, Label> {
  const w = l.windowSeconds * 1000;
  const out = new Map<string, Label>();
  const t0 = Date.parse(l.testStart);
  const t1 = Date.parse(l.testEnd);
  for (const { name } of l.streams)
    for (let t = t0; t < t1; t += w) {
      const anomalous = l.incidents.some(
        (i) => i.streams.includes(name) && Date.parse(i.start) < t + w && Date.parse(i.end) > t,
      );
      out.set(`${name}\t${windowKey(t, w)}`, { anomalous, stream: name });
    }
  return out;
}

export interface IncidentVerdict {
  kind: string;
  caught: boolean;
  baselineCaught: boolean;
}

export interface BenignVerdict {
  kind: string;
  falseAlarms: number;
  baselineFalseAlarms: number;
}

/** Early detection per incident kind and false alarms per benign change, for logsieve and the script. */
export function scenarioVerdicts(
  l: ScenarioLabels,
  predicted: Map<string, boolean>,
  baseline: Map<string, boolean>,
): { incidents: IncidentVerdict[]; benign: BenignVerdict[] } {
  const w = l.windowSeconds * 1000;
  const labels = scenarioLabels(l);
  const early = (i: ScenarioLabels['incidents'][number], flags: Map<string, boolean>) => {
    const s = Date.parse(i.start);
    const first = s - (s % w);
    return i.streams.some((stream) =>
      [0, 1, 2].some((k) => flags.get(`${stream}\t${windowKey(first + k * w, w)}`) ?? false),
    );
  };
  const falseAlarms = (b: ScenarioLabels['benign'][number], flags: Map<string, boolean>) => {
    const s = Date.parse(b.start);
    const e = Date.parse(b.end);
    let n = 0;
    for (const [key, label] of labels) {
      if (label.anomalous || !b.streams.includes(label.stream as StreamName) || !flags.get(key)) continue;
      const t = Date.parse(key.split('\t')[1]!.split('/')[0]!);
      if (t < e && t + w > s) n++;
    }
    return n;
  };
  return {
    incidents: l.incidents.map((i) => ({
      kind: i.kind,
      caught: early(i, predicted),
      baselineCaught: early(i, baseline),
    })),
    benign: l.benign.map((b) => ({
      kind: b.kind,
      falseAlarms: falseAlarms(b, predicted),
      baselineFalseAlarms: falseAlarms(b, baseline),
    })),
  };
}

export function scenarioExtra(
  l: ScenarioLabels,
  predicted: Map<string, boolean>,
  baseline: Map<string, boolean>,
): ExtraReport {
  const v = scenarioVerdicts(l, predicted, baseline);
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  const md = [
    `Scenario seed ${l.seed}: incident kinds flagged within two ${l.windowSeconds}-s windows of their start ` +
      `(logsieve ${v.incidents.filter((i) => i.caught).length}/${v.incidents.length}, ` +
      `script ${v.incidents.filter((i) => i.baselineCaught).length}/${v.incidents.length})`,
    '',
    '| incident | streams | logsieve | script |',
    '|---|---|---|---|',
    ...v.incidents.map(
      (i, k) =>
        `| ${i.kind} | ${l.incidents[k]!.streams.join(', ')} | ${yes(i.caught)} | ${yes(i.baselineCaught)} |`,
    ),
    '',
    '| benign change | false-alarm windows, logsieve | script |',
    '|---|---|---|',
    ...v.benign.map((b) => `| ${b.kind} | ${b.falseAlarms} | ${b.baselineFalseAlarms} |`),
  ];
  return { markdown: md.join('\n'), scenario: v };
}
