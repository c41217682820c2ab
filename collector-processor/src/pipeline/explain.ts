import type { Explanation } from '../anomaly-event';
import type { FeatureSpace } from '../features/feature-space';
import type { Unit } from '../features/unit';

export interface UnexpectedEvent {
  templateId: string;
  probability: number;
}

const TOP = 5;

/**
 * Explains a unit from the autoencoder's per-feature reconstruction errors (which features it
 * could not reproduce from normal patterns), the counts behind them, and the LSTM's least
 * expected events. Never-seen templates share the error of the "unseen lines" column by count.
 */
export function explain(
  u: Unit,
  space: FeatureSpace,
  errors: ArrayLike<number>,
  unexpected: UnexpectedEvent[],
  templateText: (id: string) => string,
): Explanation {
  const raw = space.raw(u);
  const cols = space.columns;
  let total = 0;
  for (let i = 0; i < errors.length; i++) total += errors[i]!;
  const share = (i: number) => (total > 0 ? errors[i]! / total : 0);
  const unseenCol = cols.indexOf('unseen_lines');

  const templates: Explanation['topTemplates'] = [];
  for (const [id, count] of u.counts) {
    const col = space.templateColumn(id);
    if (col >= 0)
      templates.push({
        templateId: id,
        template: templateText(id),
        count,
        expected: space.expected(col, u.stream),
        contribution: share(col),
      });
    else
      templates.push({
        templateId: id,
        template: templateText(id),
        count,
        expected: 0,
        contribution: (share(unseenCol) * count) / Math.max(1, raw[unseenCol]!),
      });
  }
  // Templates expected but missing from the unit matter too (a job that never commits).
  for (const id of space.templates) {
    const col = space.templateColumn(id);
    if (!u.counts.has(id) && space.expected(col, u.stream) >= 0.5) {
      templates.push({
        templateId: id,
        template: templateText(id),
        count: 0,
        expected: space.expected(col, u.stream),
        contribution: share(col),
      });
    }
  }
  templates.sort((a, b) => b.contribution - a.contribution);

  const features: Explanation['topFeatures'] = [];
  for (let i = space.templates.length; i < cols.length; i++) {
    features.push({
      feature: cols[i]!,
      value: raw[i]!,
      expected: space.expected(i, u.stream),
      contribution: share(i),
    });
  }
  features.sort((a, b) => b.contribution - a.contribution);

  const seen = new Set<string>();
  const distinct = unexpected.filter((e) => !seen.has(e.templateId) && seen.add(e.templateId));
  const events = distinct.slice(0, TOP).map((e) => ({
    templateId: e.templateId,
    template: templateText(e.templateId),
    probability: e.probability,
    line: u.examples.get(e.templateId),
  }));

  const topTemplates = templates.slice(0, TOP).map(roundShare);
  const topFeatures = features.slice(0, TOP).map(roundShare);
  return {
    summary: summarise(u, raw, cols, space, topTemplates, events),
    topTemplates,
    topFeatures,
    unexpectedEvents: events,
  };
}

function roundShare<T extends { contribution: number; expected: number }>(x: T): T {
  return {
    ...x,
    contribution: Math.round(x.contribution * 1000) / 1000,
    expected: Math.round(x.expected * 100) / 100,
  };
}

function summarise(
  u: Unit,
  raw: Float64Array,
  cols: readonly string[],
  space: FeatureSpace,
  templates: Explanation['topTemplates'],
  events: Explanation['unexpectedEvents'],
): string {
  const volume = cols.indexOf('volume');
  if (u.lines === 0)
    return `no log lines at all (normally about ${Math.round(space.expected(volume, u.stream))})`;
  const parts: string[] = [];
  const unseen = raw[cols.indexOf('unseen_lines')]!;
  const newOnes = templates.filter((t) => !space.isKnown(t.templateId));
  if (unseen > 0) {
    const first = newOnes[0];
    parts.push(
      `${unseen} line${unseen === 1 ? '' : 's'} of never-seen template${newOnes.length === 1 ? '' : 's'}${first ? ` such as "${clip(first.template)}"` : ''}`,
    );
  }
  const known = templates.find((t) => space.isKnown(t.templateId) && t.contribution > 0.1);
  if (known) parts.push(`"${clip(known.template)}" ${known.count} times (normally ${known.expected})`);
  const exp = space.expected(volume, u.stream);
  if (exp > 0 && (u.lines > 3 * exp || u.lines < exp / 3))
    parts.push(`${u.lines} lines (normally about ${Math.round(exp)})`);
  if (parts.length === 0 && events[0])
    parts.push(`unexpected "${clip(events[0].template)}" (p=${events[0].probability.toExponential(1)})`);
  if (parts.length === 0 && templates[0]) parts.push(`unusual count of "${clip(templates[0].template)}"`);
  return parts.join('; ');
}

function clip(s: string): string {
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}

/** A rule's score at or above this (one unit in a hundred) names a driver worth reading. */
const DRIVER_MIN_SCORE = 50;

/**
 * Adds the rule detectors' findings ("error share 4.1 % (normally 0.1 %)") strongest first; the
 * summary leads with the strongest when a rule scores higher than the models together, since that
 * is the sentence a person acts on.
 */
export function withDrivers(
  e: Explanation,
  scores: { models: Record<string, number>; rules: Record<string, number> },
  found: Record<string, { driver?: string }>,
): Explanation {
  const drivers = Object.entries(scores.rules)
    .filter(([r, s]) => s >= DRIVER_MIN_SCORE && found[r]?.driver)
    .sort((a, b) => b[1] - a[1])
    .map(([rule, score]) => ({ rule, score, text: found[rule]!.driver! }));
  if (drivers.length === 0) return e;
  const modelsBest = Math.max(0, ...Object.values(scores.models));
  const summary =
    drivers[0]!.score >= modelsBest
      ? [drivers[0]!.text, e.summary].filter(Boolean).join('; ')
      : [e.summary, drivers[0]!.text].filter(Boolean).join('; ');
  return { ...e, summary, drivers };
}
