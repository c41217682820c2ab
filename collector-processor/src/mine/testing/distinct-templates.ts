/** A letters-only word per number (a, b, ..., ba, bb, ...): no digit for masking to blank out. */
export function templateWord(i: number): string {
  let w = '';
  for (let n = i + 26; n > 0; n = Math.floor(n / 26)) w = String.fromCharCode(97 + (n % 26)) + w;
  return w;
}

/** `n` lines that are `n` different templates: each starts with a different word. */
export function distinctTemplateLines(n: number, from = 0): string[] {
  return Array.from({ length: n }, (_, i) => `${templateWord(from + i)} started on host`);
}
