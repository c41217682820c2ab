/** Label value for streams past the limit, so a flood of stream names can't explode series counts. */
export const OTHER_STREAM = '_other';

/** Admits the first `max` distinct streams as label values; later ones map to `_other`. */
export class StreamLabels {
  private readonly seen = new Set<string>();

  constructor(private readonly max: number) {}

  label(stream: string): string {
    if (this.seen.has(stream)) return stream;
    if (this.seen.size >= this.max) return OTHER_STREAM;
    this.seen.add(stream);
    return stream;
  }
}
