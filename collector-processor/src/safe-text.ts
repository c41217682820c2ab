/*
 * Text that PostgreSQL can hold. `text` and `jsonb` refuse U+0000 ("invalid byte sequence",
 * "unsupported Unicode escape sequence"), and a lone UTF-16 surrogate has no UTF-8 form (jsonb
 * refuses its escape; `pg` would silently turn it into U+FFFD anyway). Policy: both become U+FFFD,
 * the character Unicode reserves for "something was here that cannot be shown". Ingest applies it
 * to every record it admits, so memory and storage see the same text; the SQL clients apply it to
 * every parameter as a guard for text made later (decoded JSON fields, templates, API input).
 */

const REPLACEMENT = '\ufffd';

/** ES2024 string methods (Node >= 20 has them; the TypeScript lib here is ES2023). */
interface WellFormed {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

export function isSafeText(s: string): boolean {
  return (s as unknown as WellFormed).isWellFormed() && !s.includes('\u0000');
}

/** `s` with NUL and lone surrogates replaced by U+FFFD; `s` itself when it has none. */
export function safeText(s: string): string {
  // Native checks first: this runs on every field of every record.
  if (isSafeText(s)) return s;
  return (s as unknown as WellFormed).toWellFormed().replaceAll('\u0000', REPLACEMENT);
}

/**
 * JSON.stringify writes NUL as the escape `\u0000` and a lone surrogate as `\udXXX` (paired ones
 * stay raw), which jsonb refuses. An escape is one only when its backslash is not itself escaped:
 * an even run of backslashes before it.
 */
const UNSAFE_ESCAPE = /(?<!\\)((?:\\\\)*)\\u(?:0000|d[89a-f][0-9a-f]{2})/gi;

/** JSON text of `v` that jsonb accepts: unsafe characters in keys and strings become U+FFFD. */
export function safeJson(v: unknown): string {
  const s = JSON.stringify(v);
  return s.includes('\\u') ? s.replace(UNSAFE_ESCAPE, `$1${REPLACEMENT}`) : s;
}
