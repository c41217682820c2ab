import { WILDCARD } from './mask';
import { templateId } from './template-id';

/** One template and the lines assigned to it. */
export class Cluster {
  private cachedTemplate: string | null = null;
  private cachedId: string | null = null;
  /** Set when this cluster was merged into another: lines assigned here now belong there. */
  mergedInto: Cluster | null = null;

  constructor(
    /** Template tokens; `<*>` (or `key=<*>`) where lines differ. */
    readonly tokens: string[],
    public count: number,
    /** First raw body assigned, shown as the example line. */
    readonly example: string,
    /** Miner clock at the last assignment, for least-recently-used eviction. */
    public lastSeen: number,
  ) {}

  /** The cluster this one's lines belong to now (itself unless merged away). */
  get resolved(): Cluster {
    return this.mergedInto ? this.mergedInto.resolved : this;
  }

  /** Turns one position into a wildcard (a word seen with several values there). */
  widen(position: number): void {
    this.tokens[position] = WILDCARD;
    this.cachedTemplate = null;
    this.cachedId = null;
  }

  get template(): string {
    return (this.cachedTemplate ??= this.tokens.join(' '));
  }

  /** Short hash of the current template text: stable across replicas and restarts. */
  get id(): string {
    return (this.cachedId ??= templateId(this.template));
  }

  /** Number of positions that are (at least partly) wildcards. */
  get wildcards(): number {
    let n = 0;
    for (const t of this.tokens) if (t.includes(WILDCARD)) n++;
    return n;
  }

  /** Widens the template to also cover `masked`; true when the text changed. */
  generalise(masked: string[]): boolean {
    let changed = false;
    for (let i = 0; i < this.tokens.length; i++) {
      // Any difference widens to a bare wildcard (`rhost=<*>` seen with `rhost=name` too).
      if (this.tokens[i] !== masked[i] && this.tokens[i] !== WILDCARD) {
        this.tokens[i] = WILDCARD;
        changed = true;
      }
    }
    if (changed) {
      this.cachedTemplate = null;
      this.cachedId = null;
    }
    return changed;
  }
}
