import type { Decoded, LineFormat } from './decoded';
import { dataRecord } from '../data-keys';
import { jsonTime } from './json-format';
import { jsonLevel } from './severity';

/*
 * Sticky, the blanks before a pair part of it: a pair is looked for only where the last one ended.
 * A global search would retry at every later position, each try scanning a key to the end of the
 * line: quadratic, seconds for one 64 KB line of letters.
 */
const PAIR = /\s*([A-Za-z_][\w.\-/]*)=("(?:[^"\\]|\\.)*"|\S*)/y;

/** Parses `k=v k2="v 2"` pairs; null unless the line is all pairs (at least `least`). */
export function parseLogfmt(line: string, least = 2): Map<string, string> | null {
  const out = new Map<string, string>();
  let covered = 0;
  PAIR.lastIndex = 0;
  for (let m = PAIR.exec(line); m; m = PAIR.exec(line)) {
    const raw = m[2]!;
    out.set(m[1]!, raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw);
    covered = m.index + m[0].length;
  }
  if (line.slice(covered).trim() !== '' || out.size < least) return null;
  return out;
}

const TAKEN = new Set(['msg', 'message', 'time', 'ts', 't', 'level', 'lvl', 'severity']);

/** logfmt (Go kit, logrus text, Heroku): the msg field is the message, or the other pairs. */
export function logfmtFormat(nowMs?: number): LineFormat {
  return {
    name: 'logfmt',
    decode(line: string): Decoded | null {
      const pairs = parseLogfmt(line);
      if (!pairs) return null;
      const level = jsonLevel(pairs.get('level') ?? pairs.get('lvl') ?? pairs.get('severity'));
      const time = pairs.get('time') ?? pairs.get('ts') ?? pairs.get('t');
      // The line's keys are data: `__proto__` must be an attribute, not the object's prototype.
      const attributes = dataRecord<unknown>();
      const rest: string[] = [];
      for (const [k, v] of pairs) {
        if (TAKEN.has(k)) continue;
        attributes[k] = v;
        rest.push(`${k}=${v}`);
      }
      const msg = pairs.get('msg') ?? pairs.get('message');
      const d: Decoded = {
        timeMs: time ? jsonTime(time, nowMs) : null,
        severityNumber: level.number,
        severityText: level.text,
        body: msg ?? rest.join(' '),
        attributes,
      };
      const component = pairs.get('logger') ?? pairs.get('component') ?? pairs.get('caller');
      if (component) d.component = component;
      return d;
    },
  };
}
