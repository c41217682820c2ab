/**
 * Token splitting and masking of variable tokens. Runs on every line, so it works on char codes
 * instead of a chain of regexes: a token holding a digit is a value (numbers, hex, IPs, UUIDs,
 * durations, ids), and so are paths and URLs; `key=value` keeps its key.
 */

export const WILDCARD = '<*>';

/** Longest body the miner looks at; the rest of a longer line is ignored (bounded work per line). */
export const MAX_BODY_CHARS = 4096;
/** Most tokens the miner keeps per line; later tokens are folded into one wildcard. */
export const MAX_TOKENS = 128;

/** Splits on runs of spaces and tabs. */
export function tokenize(body: string): string[] {
  const text = body.length > MAX_BODY_CHARS ? body.slice(0, MAX_BODY_CHARS) : body;
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9) {
      if (start >= 0) {
        out.push(text.slice(start, i));
        start = -1;
      }
    } else if (start < 0) start = i;
  }
  if (start >= 0) out.push(text.slice(start));
  if (out.length > MAX_TOKENS) {
    out.length = MAX_TOKENS;
    out[MAX_TOKENS - 1] = WILDCARD;
  }
  return out;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Month and weekday names: parts of dates, so values like the digits around them. */
const DATE_WORDS = new Set(
  'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec Mon Tue Wed Thu Fri Sat Sun'.split(' '),
);

/** Flag values: which one a line holds is a parameter, not a kind of line. */
const FLAG_VALUE = /(?:^|[=:])(?:true|false|null|nil|undefined)[,;)]?$/i;

/** True when the token is a value rather than a word of the message. */
export function isVariable(token: string): boolean {
  const first = token.charCodeAt(0);
  if (token.length === 3 && first >= 65 && first <= 90 && DATE_WORDS.has(token)) return true;
  if (token.length >= 4 && FLAG_VALUE.test(token)) return true;
  // Absolute paths and URLs vary per line even without digits.
  if (first === 47 && token.length > 1) return true;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (isDigit(c)) return true;
    if (c === 58 && token.charCodeAt(i + 1) === 47 && token.charCodeAt(i + 2) === 47) return true;
  }
  return false;
}

function isOpening(c: number): boolean {
  return c === 40 || c === 91 || c === 123 || c === 34 || c === 39 || c === 60;
}

function isSeparator(c: number): boolean {
  return c === 44 || c === 59 || c === 46;
}

function isClosing(c: number): boolean {
  return (
    c === 41 || c === 93 || c === 125 || c === 34 || c === 39 || c === 44 || c === 59 || c === 46 || c === 62
  );
}

/**
 * The masked form of one token: itself, `<*>`, or `key=<*>` / `key:<*>`, keeping the brackets,
 * quotes and punctuation around the value: `(uid=0),` -> `(uid=<*>),`.
 */
export function maskToken(token: string): string {
  if (token === WILDCARD || !isVariable(token)) return token;
  let start = 0;
  let end = token.length;
  while (start < end - 1 && isOpening(token.charCodeAt(start))) start++;
  // `<1` is a bound, not a bracket: the sign is part of the value.
  if (start === 1 && token.charCodeAt(0) === 60 && isDigit(token.charCodeAt(1)) && !token.includes('>'))
    start = 0;
  // Closing brackets are kept only when the token opened them (`(0x1f)` but `LOCAL(0),`).
  while (
    end > start + 1 &&
    isClosing(token.charCodeAt(end - 1)) &&
    (start > 0 || isSeparator(token.charCodeAt(end - 1)))
  )
    end--;
  const before = token.slice(0, start);
  const after = token.slice(end);
  // `key=value` and `key:value`: the key is part of the template, the value is not. A key is a
  // word (letters, `_`, `-`, and dots before `=` only), so `host.name:8080` and URLs stay values.
  for (let i = start + 1; i < end - 1; i++) {
    const c = token.charCodeAt(i);
    if (c === 61 || (c === 58 && token.charCodeAt(i + 1) !== 47))
      return `${token.slice(0, i + 1)}${WILDCARD}${after}`;
    const word = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45;
    if (!word && !(c === 46 && token.indexOf('=', i) > 0)) break;
  }
  return `${before}${WILDCARD}${after}`;
}

export function maskTokens(tokens: string[]): string[] {
  const out = new Array<string>(tokens.length);
  for (let i = 0; i < tokens.length; i++) out[i] = maskToken(tokens[i]!);
  return out;
}

/** A template token covers a token: equal, `<*>`, or `key=<*>` over `key=anything`. */
export function tokenCovers(tpl: string, token: string): boolean {
  if (tpl === token || tpl === WILDCARD) return true;
  const at = tpl.indexOf(WILDCARD);
  if (at < 0) return false;
  const tail = tpl.length - at - WILDCARD.length;
  return (
    token.length > at + tail &&
    token.startsWith(tpl.slice(0, at)) &&
    token.endsWith(tpl.slice(at + WILDCARD.length))
  );
}
