/**
 * The reference "40-line script" of issue 16, the bar every evaluation row is compared with.
 * Templates per stream come from `logsieve parse` (one run over training and test lines together,
 * so template ids agree). A unit (window or session) is flagged when
 *  - it holds a template its stream never showed in training, or
 *  - a template's count in it has a z-score above 6 against the training units of its stream
 *    (the standard deviation floored at 1 line, so a template that never varied needs 7 extra), or
 *  - (windows only) its stream is busy (median >= 10 lines a window in training) and the window
 *    holds fewer than 20 % of that median.
 * Nothing here is fitted on test labels; the constants are the issue's.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { logsieve } from './core';

export const Z_LIMIT = 6;
export const DROP_FRACTION = 0.2;
export const BUSY_MEDIAN = 10;

interface Parsed {
  stream: string;
  line: number;
  time: string | null;
  template_id: string | number;
}

export interface LineInfo {
  stream: string;
  timeMs: number | null;
  template: string;
  raw: string;
}

export interface BaselineInput {
  train: string[];
  test: string[];
  unitArgs: string[];
  workDir: string;
  unitOf: (u: { unit: string; stream: string }) => string;
  timeOf?: (raw: string) => number | null;
}

/** Returns the script's verdict per label key (a key covering several units is flagged if any is). */
export function baselineScript(o: BaselineInput): Map<string, boolean> {
  const { train, test } = parseAll(o.train, o.test, o.workDir, o.timeOf);
  const units = unitsOf(o.unitArgs);
  const verdicts = decide(units(train), units(test), units.windowMs !== null);
  const out = new Map<string, boolean>();
  for (const [k, flagged] of verdicts) {
    const [stream, unit] = k.split('\t') as [string, string];
    const key = o.unitOf({ stream, unit });
    out.set(key, (out.get(key) ?? false) || flagged);
  }
  return out;
}

/**
 * Runs `logsieve parse` once over all lines and splits its records back into train and test. The
 * training and test files of a stream share its name in two folders; joined into one file per name
 * (training lines first) they are mined together, as one stream.
 */
function parseAll(
  train: string[],
  test: string[],
  workDir: string,
  timeOf?: (raw: string) => number | null,
): { train: LineInfo[]; test: LineInfo[] } {
  const lines = (f: string) =>
    readFileSync(f, 'utf8')
      .replace(/\r?\n$/, '')
      .split(/\r?\n/);
  const streams = new Map<string, { lines: string[]; trainLines: number }>();
  const of = (f: string) => {
    const name = basename(f);
    return streams.get(name) ?? streams.set(name, { lines: [], trainLines: 0 }).get(name)!;
  };
  for (const f of train) {
    const s = of(f);
    s.lines.push(...lines(f));
    s.trainLines = s.lines.length;
  }
  for (const f of test) of(f).lines.push(...lines(f));
  const dir = join(workDir, 'baseline-input');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, s] of streams) writeFileSync(join(dir, name), s.lines.join('\n') + '\n');
  const out = join(workDir, 'baseline-parse.jsonl');
  logsieve(['parse', '--input', dir, '--out', out]);
  const result = { train: [] as LineInfo[], test: [] as LineInfo[] };
  for (const l of readFileSync(out, 'utf8').split('\n')) {
    if (!l) continue;
    const r = JSON.parse(l) as Parsed;
    const s = streams.get(r.stream)!;
    const raw = s.lines[r.line - 1] ?? '';
    const info: LineInfo = {
      stream: r.stream,
      timeMs: timeOf ? timeOf(raw) : r.time ? Date.parse(r.time) : null,
      template: `${r.stream}\u0000${r.template_id}`,
      raw,
    };
    (r.line <= s.trainLines ? result.train : result.test).push(info);
  }
  return result;
}

type Units = ((lines: LineInfo[]) => Map<string, LineInfo[]>) & { windowMs: number | null };

/** Groups lines into `stream\tunit` keys the way logsieve names its units. */
function unitsOf(unitArgs: string[]): Units {
  const k = unitArgs.indexOf('--session-key');
  if (k >= 0) {
    const re = new RegExp(unitArgs[k + 1]!, 'g');
    const f = (lines: LineInfo[]) => {
      const m = new Map<string, LineInfo[]>();
      for (const l of lines) {
        const seen = new Set<string>();
        for (const x of l.raw.matchAll(re)) {
          const key = `${l.stream}\t${x[1] ?? x[0]}`;
          if (seen.has(key)) continue;
          seen.add(key);
          (m.get(key) ?? m.set(key, []).get(key)!).push(l);
        }
      }
      return m;
    };
    return Object.assign(f, { windowMs: null });
  }
  const w = unitArgs.indexOf('--window');
  const windowMs = Number(w >= 0 ? unitArgs[w + 1] : 60) * 1000;
  const f = (lines: LineInfo[]) => {
    const m = new Map<string, LineInfo[]>();
    const last = new Map<string, number>();
    const range = new Map<string, [number, number]>();
    for (const l of lines) {
      const t = l.timeMs ?? last.get(l.stream);
      if (t === undefined) continue;
      last.set(l.stream, t);
      const start = t - (((t % windowMs) + windowMs) % windowMs);
      const r = range.get(l.stream);
      range.set(l.stream, r ? [Math.min(r[0], start), Math.max(r[1], start)] : [start, start]);
      const key = `${l.stream}\t${windowKey(start, windowMs)}`;
      (m.get(key) ?? m.set(key, []).get(key)!).push(l);
    }
    // Empty windows are units too (a stream that went quiet).
    let end = -Infinity;
    for (const [, [, b]] of range) end = Math.max(end, b);
    for (const [s, [a]] of range)
      for (let t = a; t <= end; t += windowMs) {
        const key = `${s}\t${windowKey(t, windowMs)}`;
        if (!m.has(key)) m.set(key, []);
      }
    return m;
  };
  return Object.assign(f, { windowMs });
}

export function windowKey(startMs: number, windowMs: number): string {
  return `${new Date(startMs).toISOString().replace('.000Z', 'Z')}/${windowMs / 1000}s`;
}

/** The three rules, trained on the training units of each stream. */
export function decide(
  train: Map<string, LineInfo[]>,
  test: Map<string, LineInfo[]>,
  windows: boolean,
): Map<string, boolean> {
  interface StreamStats {
    units: number;
    sizes: number[];
    sum: Map<string, number>;
    sq: Map<string, number>;
  }
  const perStream = new Map<string, StreamStats>();
  for (const [key, lines] of train) {
    const stream = key.split('\t')[0]!;
    const s: StreamStats = perStream.get(stream) ?? { units: 0, sizes: [], sum: new Map(), sq: new Map() };
    perStream.set(stream, s);
    s.units++;
    s.sizes.push(lines.length);
    for (const [t, c] of counts(lines)) {
      s.sum.set(t, (s.sum.get(t) ?? 0) + c);
      s.sq.set(t, (s.sq.get(t) ?? 0) + c * c);
    }
  }
  const medians = new Map([...perStream].map(([s, x]) => [s, median(x.sizes)]));
  const out = new Map<string, boolean>();
  for (const [key, lines] of test) {
    const stream = key.split('\t')[0]!;
    const s = perStream.get(stream);
    if (!s) {
      out.set(key, lines.length > 0); // a stream never seen in training
      continue;
    }
    let flagged = false;
    for (const [t, c] of counts(lines)) {
      const n = s.sum.get(t);
      if (n === undefined) {
        flagged = true;
        break;
      }
      const mean = n / s.units;
      const sd = Math.max(1, Math.sqrt(Math.max(0, s.sq.get(t)! / s.units - mean * mean)));
      if ((c - mean) / sd > Z_LIMIT) {
        flagged = true;
        break;
      }
    }
    const med = medians.get(stream)!;
    if (windows && med >= BUSY_MEDIAN && lines.length < DROP_FRACTION * med) flagged = true;
    out.set(key, flagged);
  }
  return out;
}

function counts(lines: LineInfo[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of lines) m.set(l.template, (m.get(l.template) ?? 0) + 1);
  return m;
}

function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
