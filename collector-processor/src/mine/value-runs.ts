import { WILDCARD } from './mask';

/**
 * Units that belong to the number before them (`<1 sec`, `(1.16 KB)`): a value with a unit is
 * one value, so `lifetime <1 sec` and `lifetime 00:02` have the same shape. Descriptive nouns
 * (`bytes`, `records`) are not here: they are words of the message.
 */
const UNITS = new Set(
  'ns us ms s sec secs seconds min mins minutes h hr hrs hours B KB MB GB TB kB KiB MiB GiB TiB'.split(' '),
);

/** Trailing punctuation of a token (`KB),` -> `),`), kept when the unit is folded away. */
function trailing(token: string): number {
  let end = token.length;
  while (end > 0) {
    const c = token.charCodeAt(end - 1);
    if (c !== 41 && c !== 44 && c !== 59 && c !== 46) break;
    end--;
  }
  return end;
}

/** Tokens of one line after masking: the template's view (`masked`) and the raw text per slot. */
export interface FoldedTokens {
  raw: string[];
  masked: string[];
}

/**
 * Folds value runs whose token count varies into one slot: a unit after a masked value joins
 * it (`<1 sec` -> `<*>`), and a parenthesised quantity (`(1.16 KB)`), a restatement of the
 * value before it that some lines have and others lack, joins the token before it. Without this
 * `close, 0 bytes sent` and `close, 1190 bytes (1.16 KB) sent` land in different token-count
 * leaves and can never meet.
 */
export function foldValueRuns(raw: string[], masked: string[]): FoldedTokens {
  let outRaw: string[] | null = null;
  let outMasked: string[] | null = null;
  for (let i = 0; i < masked.length; i++) {
    const t = masked[i]!;
    const prev = outMasked ? outMasked.length - 1 : i - 1;
    const prevMasked = prev >= 0 ? (outMasked ?? masked)[prev]! : '';
    const end = prev >= 0 && prevMasked.endsWith(WILDCARD) ? trailing(t) : -1;
    if (end > 0 && UNITS.has(t.slice(0, end))) {
      outRaw ??= raw.slice(0, i);
      outMasked ??= masked.slice(0, i);
      const joinedRaw = `${outRaw[prev]!} ${raw[i]!}`;
      const joined = prevMasked + t.slice(end);
      if (joined.startsWith(`(${WILDCARD})`) && prev > 0) {
        // `(1.16 KB)`: drop the group's slot, keeping what followed its bracket.
        outRaw.pop();
        outMasked.pop();
        outRaw[prev - 1] = `${outRaw[prev - 1]!} ${joinedRaw}`;
        outMasked[prev - 1] += joined.slice(WILDCARD.length + 2);
      } else {
        outRaw[prev] = joinedRaw;
        outMasked[prev] = joined;
      }
      continue;
    }
    if (outRaw && outMasked) {
      outRaw.push(raw[i]!);
      outMasked.push(t);
    }
  }
  return outRaw && outMasked ? { raw: outRaw, masked: outMasked } : { raw, masked };
}
