import { letterLevelNumber, levelNumber } from './severity';

/**
 * Finds the header of a free-text line (`<time> <level> <component>: message` in its many
 * shapes) by reading tokens from the left and classifying each one, instead of one regex per
 * known format. A token is header while it looks like time, a level, a pid, a bracketed field, a
 * `program[pid]:` tag, a host or column before those, or a `|`-separated field; the first token
 * that is none of these starts the message.
 */

export interface Header {
  /** Offset of the message in the line. */
  bodyStart: number;
  /** The time-looking tokens, space-joined (for parseLooseTime). */
  timeText: string;
  level: string;
  levelNumber: number;
  component: string;
  /**
   * The role of each header token, one letter each (t time, n pid, m month, l level, k `comp:`,
   * c component, d dash, o other, T [time], L [level], b [other]) when it has no `|` columns:
   * the stream's next line is first tried with it by `fastHeader`.
   */
  layout: string | null;
}

type Kind = 'time' | 'num' | 'dash' | 'month' | 'bracket' | 'level' | 'comp' | 'word';

interface Token {
  start: number;
  end: number;
  text: string;
  kind: Kind;
  /** Ended by `|` (a column separator) rather than whitespace. */
  piped: boolean;
  /** Followed by two or more spaces (an aligned column). */
  padded: boolean;
}

const MAX_HEADER_TOKENS = 14;
const MAX_BRACKET = 256;
const MONTH_OR_DAY =
  /^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]{0,6}\.?,?$/;

const REUSABLE_END = /[kdbLT]$/;
const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/;

function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}

function readToken(line: string, from: number): Token | null {
  let i = from;
  while (i < line.length && isSpace(line.charCodeAt(i))) i++;
  if (i >= line.length) return null;
  const start = i;
  if (line.charCodeAt(i) === 91) {
    // A bracketed field may hold spaces and nested brackets: [Sun Dec 04 04:47:44 2005], [a[b]/c].
    let depth = 0;
    for (; i < line.length && i - start < MAX_BRACKET; i++) {
      const c = line.charCodeAt(i);
      if (c === 91) depth++;
      else if (c === 93 && --depth === 0) break;
    }
    if (depth === 0 && i < line.length) {
      let end = i + 1;
      if (line.charCodeAt(end) === 58) end++;
      if (end >= line.length || isSpace(line.charCodeAt(end)) || line.charCodeAt(end) === 124)
        return finish(line, start, end, 'bracket');
    }
    i = start;
  }
  while (i < line.length) {
    const c = line.charCodeAt(i);
    if (isSpace(c) || c === 124) break;
    i++;
  }
  return finish(line, start, i, classify(line.slice(start, i)));
}

function finish(line: string, start: number, end: number, kind: Kind): Token {
  const piped = line.charCodeAt(end) === 124;
  const padded = isSpace(line.charCodeAt(end)) && isSpace(line.charCodeAt(end + 1));
  return { start, end, text: line.slice(start, end), kind, piped, padded };
}

function classify(t: string): Kind {
  if (t === '-') return 'dash';
  let digits = 0;
  let timeish = true;
  let sep = false;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 58 || c === 45 || c === 47 || c === 46 || c === 95) sep = true;
    else if (!(c === 44 || c === 84 || c === 90 || c === 43)) timeish = false;
  }
  if (digits && timeish && !IPV4.test(t)) return sep ? 'time' : 'num';
  const c0 = t.charCodeAt(0);
  if (c0 >= 65 && c0 <= 90 && t.length >= 3 && t.length <= 11 && MONTH_OR_DAY.test(t)) return 'month';
  if (t.length > 1 && t.charCodeAt(t.length - 1) === 58 && t.charCodeAt(t.length - 2) !== 58) return 'comp';
  if (levelNumber(t)) return 'level';
  return 'word';
}

/** Part of the time: not a bare 3-5 digit number, which is a pid or thread id in headers. */
function timeLike(t: Token): boolean {
  return (
    t.kind === 'time' || t.kind === 'month' || (t.kind === 'num' && (t.text.length < 3 || t.text.length > 5))
  );
}

/** A time token strong enough to start a header on its own (not a bare number). */
function strong(t: Token): boolean {
  return t.kind === 'time' || t.kind === 'month' || (t.kind === 'num' && t.text.length >= 6);
}

/** `prog[pid]:` / `pkg.Class:` / `Tag:` without the colon and pid. */
function componentName(t: string): string {
  let end = t.charCodeAt(t.length - 1) === 58 ? t.length - 1 : t.length;
  for (let i = 1; i < end; i++) {
    const c = t.charCodeAt(i);
    if (c === 91 || c === 40) end = i;
  }
  return t.slice(0, end);
}

/** A `-` separator next or after one more word (`prog - msg`, `prog *64 - msg`). */
function dashAhead(tokens: LazyTokens, from: number): boolean {
  const a = tokens.get(from);
  if (a?.kind === 'dash') return true;
  return a?.kind === 'word' && tokens.get(from + 1)?.kind === 'dash' && !!tokens.get(from + 2);
}

/** The line has a typed token wherever most lines of the stream do (checked on the last one). */
function fitsColumns(tokens: LazyTokens, columns: number): boolean {
  return !!tokens.get(columns) && typed(tokens.get(columns - 1)!);
}

/** A level word within the next three tokens, with only words before it (`RAS KERNEL INFO`). */
function levelAhead(tokens: LazyTokens, from: number): boolean {
  for (let j = from; j < from + 3; j++) {
    const kind = tokens.get(j)?.kind;
    if (kind === 'level') return true;
    if (kind !== 'word') return false;
  }
  return false;
}

function bracketInner(t: string): string {
  return t.slice(1, t.lastIndexOf(']'));
}

/** The line's leading tokens, read only as far as the scan looks (most headers are short). */
class LazyTokens {
  private readonly items: Token[] = [];
  private pos = 0;
  private done = false;

  constructor(private readonly line: string) {}

  get(i: number): Token | undefined {
    while (!this.done && this.items.length <= i && this.items.length <= MAX_HEADER_TOKENS) {
      const t = readToken(this.line, this.pos);
      if (!t) this.done = true;
      else {
        this.items.push(t);
        this.pos = t.piped ? t.end + 1 : t.end;
      }
    }
    return this.items[i];
  }
}

/** A token that is header by its type alone: time, number, month, `-`, level, [time]/[level]. */
function typed(t: Token): boolean {
  if (t.kind === 'bracket') {
    const inner = bracketInner(t.text);
    return levelNumber(inner) > 0 || /\d:\d\d/.test(inner);
  }
  return t.kind !== 'word' && t.kind !== 'comp' ? true : letterLevelNumber(t.text) > 0;
}

/** Lines a stream's header columns are learned from, and the share that must agree. */
export const PROFILE_LINES = 100;
const PROFILE_AGREEMENT = 0.9;
const MAX_COLUMNS = 10;

/**
 * Learns a stream's fixed header columns from a sample of its lines: the header reaches at least
 * to the last leading position that holds a typed token (time, number, level...) in nearly every
 * line, so a short id in one line and a long one in the next cut the header at the same place,
 * and untyped columns between typed ones (hosts, nodes, facilities) are header too.
 */
export function learnColumns(sample: string[]): number {
  const hits = new Array<number>(MAX_COLUMNS).fill(0);
  const anchors = new Array<number>(MAX_COLUMNS).fill(0);
  const levels = new Array<number>(MAX_COLUMNS).fill(0);
  let n = 0;
  for (const line of sample) {
    const tokens = new LazyTokens(line);
    if (!tokens.get(0)) continue;
    n++;
    for (let p = 0; p < MAX_COLUMNS && tokens.get(p + 1); p++) {
      const t = tokens.get(p)!;
      if (typed(t)) hits[p]!++;
      if (strong(t) || t.kind === 'level' || t.kind === 'bracket') anchors[p]!++;
      if (t.kind === 'level') levels[p]!++;
    }
  }
  if (n < 10) return 0;
  let columns = 0;
  let anchored = false;
  for (let p = 0; p < MAX_COLUMNS; p++) {
    // A level column is followed by at most a component: typed words past it are the message's
    // (a job logging "run=2881 finished in 621 ms" every minute is not a ten-column header).
    if (p >= 2 && levels[p - 2]! >= n * PROFILE_AGREEMENT) break;
    if (hits[p]! < n * PROFILE_AGREEMENT) continue;
    columns = p + 1;
    anchored ||= anchors[p]! >= n * PROFILE_AGREEMENT;
  }
  // Numbers alone do not make a header (`user 7 logged in` in every line): a time or level must.
  return anchored ? columns : 0;
}

/**
 * The header of `line`, or null when it does not start with one. `columns` (from learnColumns)
 * is the stream's fixed header width; lines whose typed columns do not fit it are scanned alone.
 */
export function scanHeader(line: string, columns = 0): Header | null {
  const tokens = new LazyTokens(line);
  const times: string[] = [];
  let level = '';
  let levelNum = 0;
  let component = '';
  let sawTime = false;
  let bodyAt = -1;
  let i = 0;
  let roles = '';
  let plain = true;
  if (columns && fitsColumns(tokens, columns)) {
    for (; i < columns; i++) {
      const t = tokens.get(i)!;
      if (t.piped) plain = false;
      if (t.kind === 'bracket') {
        const inner = bracketInner(t.text);
        if (levelNumber(inner) && !level) {
          [level, levelNum] = [inner, levelNumber(inner)];
          roles += 'L';
        } else if (!times.length && /\d:\d\d/.test(inner)) {
          times.push(inner);
          roles += 'T';
        } else roles += 'b';
      } else if (!level && (t.kind === 'level' || letterLevelNumber(t.text))) {
        level = t.text;
        levelNum = levelNumber(t.text) || letterLevelNumber(t.text);
        roles += 'l';
      } else if (timeLike(t)) {
        times.push(t.text);
        roles += t.kind === 'month' ? 'm' : 't';
      } else roles += t.kind === 'dash' ? 'd' : t.kind === 'num' ? 'n' : 'o';
    }
    sawTime = true;
  }
  const learned = i > 0;
  for (; i < MAX_HEADER_TOKENS; i++) {
    const t = tokens.get(i);
    if (!t) break;
    const next = tokens.get(i + 1);
    if (t.piped) plain = false;
    if (t.piped && next) {
      if (timeLike(t)) times.push(t.text);
      if (strong(t)) sawTime = true;
      if (t.kind === 'word' && sawTime && !component) component = t.text;
      continue;
    }
    if (t.kind === 'time' || t.kind === 'num' || t.kind === 'month' || t.kind === 'dash') {
      if (i === 0 && !strong(t) && t.kind !== 'dash' && !(next && strong(next))) break;
      // Numbers after the level or component belong to the message.
      if ((level || component) && t.kind !== 'dash') break;
      if (timeLike(t)) times.push(t.text);
      if (strong(t)) sawTime = true;
      roles += t.kind === 'dash' ? 'd' : t.kind === 'month' ? 'm' : timeLike(t) ? 't' : 'n';
      continue;
    }
    if (t.kind === 'bracket') {
      const inner = bracketInner(t.text);
      const innerLevel = levelNumber(inner);
      if (innerLevel && !level) {
        level = inner;
        levelNum = innerLevel;
        roles += 'L';
      } else if (/\d:\d\d/.test(inner) && !sawTime) {
        times.push(inner);
        sawTime = true;
        roles += 'T';
      } else if (!sawTime && !level) break;
      else roles += 'b';
      continue;
    }
    if (t.kind === 'level' && (sawTime || i === 0)) {
      level = t.text;
      levelNum = levelNumber(t.text);
      roles += 'l';
      continue;
    }
    if (!level && sawTime && t.text.length === 1 && letterLevelNumber(t.text)) {
      level = t.text;
      levelNum = letterLevelNumber(t.text);
      roles += 'l';
      continue;
    }
    if (t.kind === 'comp' && (sawTime || level)) {
      component = componentName(t.text);
      roles += 'k';
      bodyAt = i + 1;
      break;
    }
    if (t.kind === 'word' || t.kind === 'comp' || t.kind === 'level') {
      // A host or node column before more header: `combo sshd[1]:`, `dn228 Nov 9 ...`, `RAS KERNEL INFO`.
      // Past learned columns only a `host prog[pid]:` pair is still header.
      if (learned) {
        const after = tokens.get(i + 2);
        // `host prog[pid]:`, and `host prog ver[pid]:` / `host prog[pid] (x):` (macOS syslog).
        const tagAhead = next?.kind === 'comp' || (after?.kind === 'comp' && after.text.includes('['));
        if (tagAhead && !level) {
          roles += 'o';
          continue;
        }
      } else {
        const hostBefore =
          next &&
          (next.kind === 'comp' || next.kind === 'level' || strong(next)) &&
          (sawTime || /\d/.test(t.text));
        if (!level && !component && (hostBefore || (sawTime && levelAhead(tokens, i + 1)))) {
          roles += 'o';
          continue;
        }
      }
      // A component column after the level: `INFO pkg.Class [req-1]`, `Info  CBS  msg`, `chrome.exe - msg`.
      if (
        (level || sawTime) &&
        next &&
        ((t.padded && (level || !learned)) ||
          dashAhead(tokens, i + 1) ||
          (level && next.kind === 'bracket' && t.text.includes('.')))
      ) {
        roles += component ? 'o' : 'c';
        component ||= componentName(t.text);
        continue;
      }
    }
    break;
  }
  if (bodyAt < 0) bodyAt = i;
  if (!sawTime && !level) return null;
  // A header is never the whole line: a last lone word (`... 1 warning`) is the message.
  const lastToken = tokens.get(bodyAt - 1);
  if (!tokens.get(bodyAt) && lastToken && (lastToken.kind === 'level' || lastToken.kind === 'word')) {
    bodyAt--;
    roles = roles.slice(0, bodyAt);
    if (lastToken.text === level) [level, levelNum] = ['', 0];
  }
  // A `-` between header and message (`] - msg`, `prog - msg`) is a separator.
  while (tokens.get(bodyAt + 1) && tokens.get(bodyAt)!.kind === 'dash') {
    bodyAt++;
    roles += 'd';
  }
  const bodyStart = tokens.get(bodyAt)?.start ?? line.length;
  // Only a header closed by a `comp:` tag, a `-` separator or a bracket is reusable: after any
  // other the message's first words decided where the header ended.
  const layout = plain && roles.length === bodyAt && REUSABLE_END.test(roles) ? roles : null;
  return { bodyStart, timeText: times.join(' '), level, levelNumber: levelNum, component, layout };
}

/**
 * Reads a header with a known layout (from the stream's previous line) by splitting on spaces
 * and checking each token fits its role; null when the line has another shape. Most lines of a
 * stream share one layout, and this is several times cheaper than `scanHeader`.
 */
export function fastHeader(line: string, layout: string): Header | null {
  const n = line.length;
  let pos = 0;
  let timeText = '';
  let level = '';
  let levelNum = 0;
  let component = '';
  for (let j = 0; j < layout.length; j++) {
    while (pos < n && isSpace(line.charCodeAt(pos))) pos++;
    const start = pos;
    const role = layout.charCodeAt(j);
    if (role === 76 || role === 84 || role === 98) {
      // L, T, b: a bracketed level, time or other field.
      const t = line.charCodeAt(start) === 91 ? readToken(line, start) : null;
      if (!t || t.kind !== 'bracket') return null;
      pos = t.end;
      if (role === 98) continue;
      const inner = bracketInner(t.text);
      if (role === 76) {
        levelNum = levelNumber(inner);
        if (!levelNum) return null;
        level = inner;
      } else {
        if (!/\d:\d\d/.test(inner)) return null;
        timeText = timeText ? `${timeText} ${inner}` : inner;
      }
      continue;
    }
    if (line.charCodeAt(start) === 91) return null;
    while (pos < n) {
      const c = line.charCodeAt(pos);
      if (isSpace(c)) break;
      if (c === 124) return null;
      pos++;
    }
    if (pos === start) return null;
    const first = line.charCodeAt(start);
    const lastColon = line.charCodeAt(pos - 1) === 58;
    switch (role) {
      case 116: // t
        if (!(first >= 48 && first <= 57) || lastColon) return null;
        timeText = timeText ? `${timeText} ${line.slice(start, pos)}` : line.slice(start, pos);
        break;
      case 110: // n
        if (!(first >= 48 && first <= 57) || lastColon) return null;
        break;
      case 109: // m
        if (!(first >= 65 && first <= 90)) return null;
        timeText = timeText ? `${timeText} ${line.slice(start, pos)}` : line.slice(start, pos);
        break;
      case 108: {
        // l
        level = line.slice(start, pos);
        levelNum = levelNumber(level) || letterLevelNumber(level);
        if (!levelNum) return null;
        break;
      }
      case 107: // k
        if (!lastColon || pos - start < 2) return null;
        component = componentName(line.slice(start, pos));
        break;
      case 99: // c
        if (lastColon || (first >= 48 && first <= 57)) return null;
        component = componentName(line.slice(start, pos));
        break;
      case 100: // d
        if (pos - start !== 1 || first !== 45) return null;
        break;
      default: // o
        if (lastColon) return null;
    }
  }
  while (pos < n && isSpace(line.charCodeAt(pos))) pos++;
  // More header follows (another bracket, a separator): the full scan decides.
  const c = line.charCodeAt(pos);
  if (c === 91 || (c === 45 && isSpace(line.charCodeAt(pos + 1)))) return null;
  return { bodyStart: pos, timeText, level, levelNumber: levelNum, component, layout };
}
