/**
 * Where a unit keeps a parameter's values. A position in the message: "<templateId>#<index>". A
 * named field of a structured line (JSON, logfmt, OTLP attributes): "<templateId>#@<field>". A
 * number also per endpoint, "<templateId>#<index>|<route>" or "<templateId>#@<field>|<route>", so
 * one slow route is not averaged away by the others. Template ids hold no '#'.
 */
export function positionSlot(templateId: string, index: number, route?: string): string {
  return route === undefined ? `${templateId}#${index}` : `${templateId}#${index}|${route}`;
}

export function fieldSlot(templateId: string, field: string, route?: string): string {
  return route === undefined ? `${templateId}#@${field}` : `${templateId}#@${field}|${route}`;
}

/** Whether the slot holds a named field of a structured line (rules read those; the models do not). */
export function isFieldSlot(slot: string): boolean {
  return slot.charCodeAt(slot.indexOf('#') + 1) === 64; // '@'
}

/** Whether the slot holds one endpoint's numbers (rules read those; the models do not). */
export function isRouteSlot(slot: string): boolean {
  return slot.includes('|', slot.indexOf('#'));
}

/** Path segments that name one thing (a number, a long hex id, a UUID), not an endpoint. */
const ID_SEGMENT = /^(?:\d+|[0-9a-f]{8,}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
const MAX_ROUTE = 64;

/** An HTTP request line's method and path (an access log's "GET /api/orders/1234?x=1 HTTP/1.1"). */
const REQUEST_LINE = /\b(?:GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS) (\/[^\s?#]*)/;

/**
 * The endpoint of the request a line records: its path with ids masked, "/api/orders/{id}". None
 * when the line holds no request line (a path elsewhere, a file or an address, is no endpoint) or
 * the path is too long to be a route.
 */
export function requestRoute(line: string): string | undefined {
  const m = REQUEST_LINE.exec(line);
  if (!m) return undefined;
  const route = m[1]!
    .split('/')
    .map((seg) => (ID_SEGMENT.test(seg) ? '{id}' : seg))
    .join('/');
  return route.length <= MAX_ROUTE ? route : undefined;
}

export function slotTemplate(slot: string): string {
  return slot.slice(0, slot.indexOf('#'));
}

/** |Spearman correlation| of a slot's unit means with time from which it is a counter. */
const COUNTER_CORRELATION = 0.9;
const COUNTER_MIN_UNITS = 10;

/**
 * Whether a slot's per-unit means rise (or fall) with time all through the training: a counter or
 * an id (a job number, a run, a pid), which counts rather than measures. As a measurement every
 * later unit would lie past all training ones and look ever more anomalous.
 */
export function isCounter(times: number[], means: number[]): boolean {
  if (means.length < COUNTER_MIN_UNITS) return false;
  return Math.abs(pearson(ranks(times), ranks(means))) >= COUNTER_CORRELATION;
}

function ranks(xs: number[]): number[] {
  const order = xs.map((_, i) => i).sort((a, b) => xs[a]! - xs[b]!);
  const r = new Array<number>(xs.length);
  for (let k = 0; k < order.length;) {
    let e = k;
    while (e + 1 < order.length && xs[order[e + 1]!] === xs[order[k]!]) e++;
    for (let j = k; j <= e; j++) r[order[j]!] = (k + e) / 2; // ties share their mean rank
    k = e + 1;
  }
  return r;
}

function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((x, y) => x + y, 0) / n;
  const mb = b.reduce((x, y) => x + y, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/** A slot's parameter name and unit, and its route where it is kept per endpoint. */
export function slotInfo(
  slot: string,
  templateText: string,
  example?: string,
): { name: string; suffix: string; route?: string } {
  const rest = slot.slice(slot.indexOf('#') + 1);
  const bar = rest.indexOf('|');
  if (!rest.startsWith('@')) {
    const info = paramInfo(templateText, Number(bar < 0 ? rest : rest.slice(0, bar)), example);
    return bar < 0 ? info : { ...info, route: rest.slice(bar + 1) };
  }
  const name = bar < 0 ? rest.slice(1) : rest.slice(1, bar);
  const suffix = name.match(/[_.](ms|s|us|ns|bytes|kb|mb)$/i)?.[1] ?? '';
  return bar < 0 ? { name, suffix } : { name, suffix, route: rest.slice(bar + 1) };
}

/**
 * The parameter's name and unit for explanations: "rt" from `rt=<*>`, the word before a bare
 * `<*>` ("took <*> ms" gives "took"), and the unit written after the number in the unit's example
 * line ("2100ms" gives "ms") or as the next word.
 */
export function paramInfo(
  template: string,
  index: number,
  example?: string,
): { name: string; suffix: string } {
  const tokens = template.split(/\s+/);
  let seen = -1;
  for (let t = 0; t < tokens.length; t++) {
    const tok = tokens[t]!;
    if (!tok.endsWith('<*>')) continue;
    if (++seen !== index) continue;
    const prefix = tok.slice(0, -3).replace(/[=:]+$/, '');
    const before = (tokens[t - 1] ?? '').replace(/[=:,]+$/, '');
    const name = prefix || (before && !before.includes('<*>') ? before : `parameter ${index + 1}`);
    let suffix = '';
    const next = tokens[t + 1] ?? '';
    if (/^(?:ms|s|us|µs|ns|kb|mb|gb|b|bytes|sec|seconds|milliseconds)$/i.test(next)) suffix = next;
    if (!suffix && example) {
      const ex = example.split(/\s+/);
      const value = ex[ex.length - (tokens.length - t)];
      suffix = value?.match(/\d([a-zµ]{1,2})$/i)?.[1] ?? '';
    }
    return { name, suffix };
  }
  return { name: `parameter ${index + 1}`, suffix: '' };
}
