import type { Unit } from '../../features/unit';

/**
 * Severity read from a message's words, for lines whose header carries no level (BSD syslog,
 * Thunderbird, plain application output). Returns a severity band as `Unit.severity` indexes it:
 * 0 nothing recognised, 4 warn, 5 error, 6 fatal. It runs once per template (rules cache it by
 * template id), never per line.
 *
 * Kept small on purpose: words an SRE would grep for, plus the few phrases that say the opposite
 * ("0 errors", "no error", "error corrected") so routine counters do not read as failures.
 */

export const LEXICON_WARN = 4;
export const LEXICON_ERROR = 5;
export const LEXICON_FATAL = 6;

const FATAL =
  /\b(?:fatal|panic(?:ked|king)?|catastrophic|emerg(?:ency)?|out of memory|oom[- ]?kill(?:er|ed)?|killed process|segmentation fault|segfault|core dumped|kernel terminated|unrecoverable|kernel bug|stopping execution)\b/i;

const ERROR =
  /\b(?:errors?|err|failed|failures?|fails?|crash(?:ed|es|ing)?|exceptions?|denied|refused|unreachable|timed out|timeout|abort(?:ed|ing)?|cannot|can ?not|can't|unable to|corrupt(?:ed|ion)?|no space left|(?:disk|file ?system|partition|volume) (?:is )?full|invalid|rejected|severed|traceback|errno|assert(?:ion)? failed|not functional)\b/i;

const WARN =
  /\b(?:warn(?:ing)?s?|deprecated|retry(?:ing)?|retries|slow|degraded|throttl\w*|suspicious|unexpected|not found|missing|exceed(?:s|ed)?|over limit|lost)\b/i;

/** Phrases that name an error word but report its absence. */
const NEGATED =
  /\b(?:0|no|zero|without)\s+(?:\w+\s+)?(?:errors?|failures?|exceptions?|warnings?)\b|\b(?:errors?|failures?|failed|exceptions?|warnings?)\s*[:=]\s*0\b|\berror[- ]free\b/gi;

/** Words that say an error was handled: it stays worth a look (warn), not a page. */
const HANDLED = /\b(?:corrected|recovered|resolved|succeeded|retrying|will retry)\b/i;

/**
 * A process starting, stopping or announcing itself: how a deploy or a restart reads. Such a line
 * is new with each new version and is no incident by itself (a crash loop shows in the volume and
 * in the errors around it).
 */
const LIFECYCLE =
  /\b(?:start(?:ing|ed)?|stop(?:ping|ped)?|shut(?:ting)?\s*down|restart(?:ing|ed)?|listening|ready|initiali[sz](?:ing|ed)|boot(?:ing|ed)?|version|sig(?:term|hup|int)|reload(?:ing|ed)?|connected to|drain(?:ing|ed))\b/i;

export function readsAsLifecycle(text: string): boolean {
  return LIFECYCLE.test(text);
}

export function lexiconBand(text: string): number {
  const t = text.replace(NEGATED, ' ');
  if (FATAL.test(t)) return LEXICON_FATAL;
  if (ERROR.test(t)) return HANDLED.test(t) ? LEXICON_WARN : LEXICON_ERROR;
  if (WARN.test(t)) return LEXICON_WARN;
  return 0;
}

/**
 * Per-template memo of `lexiconBand`, bounded so a flood of novel templates cannot grow it. The
 * text is the template's (masked parameters read no differently) or, for a template the context
 * does not know, the unit's first line of it.
 */
export class LexiconCache {
  private readonly bands = new Map<string, number>();
  private readonly lifecycles = new Map<string, boolean>();

  constructor(
    private readonly templateText?: (id: string) => string | undefined,
    private readonly max = 50_000,
  ) {}

  band(id: string, u: Unit): number {
    return this.memo(this.bands, id, u, lexiconBand, 0);
  }

  /** Whether the template reads as a process starting or stopping (readsAsLifecycle). */
  lifecycle(id: string, u: Unit): boolean {
    return this.memo(this.lifecycles, id, u, readsAsLifecycle, false);
  }

  private memo<T>(memo: Map<string, T>, id: string, u: Unit, read: (text: string) => T, none: T): T {
    let v = memo.get(id);
    if (v === undefined) {
      const t = this.templateText?.(id) ?? u.examples.get(id);
      v = t ? read(t) : none;
      if (memo.size >= this.max) memo.clear();
      memo.set(id, v);
    }
    return v;
  }

  /** The higher of the header's band and the words': a new INFO-level "Exception in ..." reads as an error. */
  strongest(id: string, u: Unit): number {
    return Math.max(u.levels.get(id) ?? 0, this.band(id, u));
  }

  /** The band a template's lines carry: the header's where it gave one, else the words'. */
  effective(id: string, u: Unit): number {
    const header = u.levels.get(id) ?? 0;
    return header > 0 ? header : this.band(id, u);
  }
}
