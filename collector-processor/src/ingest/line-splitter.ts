/** Longest line kept; longer lines are cut here and counted (one runaway line must not OOM). */
export const MAX_LINE_CHARS = 64 * 1024;

/**
 * Splits decoded text chunks into lines without readline: indexOf over each chunk, a carried
 * partial line between chunks, `\r\n` and `\n` endings, over-long lines truncated.
 */
export class LineSplitter {
  private carry = '';
  /** Lines cut to MAX_LINE_CHARS so far. */
  truncated = 0;
  private dropping = false;

  constructor(private readonly maxChars = MAX_LINE_CHARS) {}

  /** The complete lines in `chunk` (plus the carried start of the first one). */
  push(chunk: string, out: string[] = []): string[] {
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
      this.emit(chunk, start, nl, out);
      start = nl + 1;
    }
    if (start < chunk.length) this.keep(chunk.slice(start));
    return out;
  }

  /** The last line when the input does not end with a newline. */
  end(out: string[] = []): string[] {
    if (this.carry || this.dropping)
      out.push(this.carry.endsWith('\r') ? this.carry.slice(0, -1) : this.carry);
    this.carry = '';
    this.dropping = false;
    return out;
  }

  private emit(chunk: string, start: number, nl: number, out: string[]): void {
    let end = nl > start && chunk.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    if (this.carry || this.dropping) {
      if (!this.dropping) this.keep(chunk.slice(start, end));
      out.push(this.carry.endsWith('\r') ? this.carry.slice(0, -1) : this.carry);
      this.carry = '';
      this.dropping = false;
      return;
    }
    if (end - start > this.maxChars) {
      this.truncated++;
      end = start + this.maxChars;
    }
    out.push(chunk.slice(start, end));
  }

  /** Adds to the carried partial line, truncating it once it passes the cap. */
  private keep(part: string): void {
    if (this.dropping) return;
    this.carry += part;
    if (this.carry.length > this.maxChars) {
      this.carry = this.carry.slice(0, this.maxChars);
      this.truncated++;
      this.dropping = true;
    }
  }
}
