import { Cluster } from './cluster';
import { WILDCARD, maskTokens, tokenCovers, tokenize } from './mask';
import { type FoldedTokens, foldValueRuns } from './value-runs';

export interface MinerConfig {
  /** Fraction of a template's fixed tokens a line must share to join it. */
  similarity: number;
  /** Most templates kept per stream; the least recently used are evicted beyond it. */
  maxTemplates: number;
  /**
   * Templates equal but for one word are merged (that word made a wildcard) once this many
   * distinct words were seen there: a few values are different events, many are a variable.
   */
  mergeAfter: number;
}

export const DEFAULT_MINER_CONFIG: MinerConfig = {
  similarity: 0.9,
  maxTemplates: 5000,
  mergeAfter: 3,
};

export interface TemplateSummary {
  id: string;
  template: string;
  count: number;
  example: string;
}

/** Plain-JSON state of one miner: enough to resume mining or to match with a frozen model. */
export interface MinerSnapshot {
  version: 1;
  config: MinerConfig;
  clock: number;
  clusters: { tokens: string[]; count: number; example: string; lastSeen: number }[];
}

/**
 * Cache key of a line: its digit runs replaced by `0`. Sound because masking depends on digits
 * only through whether a token has one, so lines with equal keys have equal masked tokens; and
 * a native replace is far cheaper than masking every token of a line that was seen before.
 */
const DIGITS = /\d+/g;

/** Line key -> cluster; bounded so that lines full of unmasked words cannot grow it forever. */
const MAX_EXACT_CACHE = 16_384;

/**
 * Characters of cached lines that several miners may hold together: the streams of a live
 * pipeline share one, so a thousand streams cannot each fill a cache of their own (long distinct
 * lines that all join known templates would otherwise cost gigabytes). A miner at the shared
 * bound starts its own cache again.
 */
export class LineCacheBudget {
  used = 0;
  constructor(readonly maxChars: number) {}
}

/**
 * Drain-style miner for one stream: lines are routed by token count and first fixed token to a
 * small leaf of clusters, join the most similar one above the threshold (widening its template)
 * or start a new one. A cache keyed by the line with its digits blanked skips masking and the
 * leaf scan for the many lines that differ from an earlier one only in numbers.
 */
export class TemplateMiner {
  private readonly leaves = new Map<string, Cluster[]>();
  private readonly exact = new Map<string, Cluster>();
  /** Characters of the keys in `exact`, counted in the cache budget. */
  private cachedChars = 0;
  private size = 0;
  private clock = 0;

  readonly config: MinerConfig;

  constructor(
    config: Partial<MinerConfig> = {},
    private readonly cacheBudget = new LineCacheBudget(Infinity),
  ) {
    this.config = { ...DEFAULT_MINER_CONFIG, ...config };
  }

  /** Learns from one message body and returns the cluster it now belongs to. */
  add(body: string): Cluster {
    return this.learn(body, true)!;
  }

  /**
   * Like `add`, but only joins (and widens) an existing template: null instead of starting a new
   * one. For a stream at its template limit, whose miner must not grow any more.
   */
  addKnown(body: string): Cluster | null {
    return this.learn(body, false);
  }

  private learn(body: string, grow: boolean): Cluster | null {
    const key = body.replace(DIGITS, '0');
    this.clock++;
    const hit = this.exact.get(key);
    if (hit) {
      const c = hit.mergedInto ? hit.resolved : hit;
      c.count++;
      c.lastSeen = this.clock;
      return c;
    }
    const masked = lineTokens(body).masked;
    const leafKey = routeKey(masked);
    let leaf = this.leaves.get(leafKey);
    let cluster = leaf ? this.best(leaf, masked) : null;
    if (!cluster && !grow) return null;
    if (!leaf) this.leaves.set(leafKey, (leaf = []));
    if (cluster) {
      this.absorbSpecific(leaf, cluster, masked);
      cluster.generalise(masked);
      cluster.count++;
      cluster.lastSeen = this.clock;
    } else {
      cluster = new Cluster(masked, 1, body.length > 1000 ? body.slice(0, 1000) : body, this.clock);
      leaf.push(cluster);
      cluster = this.mergeSiblings(leaf, cluster);
      if (++this.size > this.config.maxTemplates) this.evict();
    }
    this.remember(key, cluster);
    return cluster;
  }

  /** The cluster `add` would assign, without learning; null for a line unlike every template. */
  match(body: string): Cluster | null {
    const hit = this.exact.get(body.replace(DIGITS, '0'));
    if (hit) return hit.resolved;
    const masked = lineTokens(body).masked;
    const leaf = this.leaves.get(routeKey(masked));
    return leaf ? this.best(leaf, masked) : null;
  }

  /** The line's values at the template's wildcard positions. */
  params(body: string, cluster: Cluster): string[] {
    const tokens = lineTokens(body).raw;
    const out: string[] = [];
    const tpl = cluster.tokens;
    for (let i = 0; i < tpl.length && i < tokens.length; i++) {
      const t = tpl[i]!;
      if (t === WILDCARD) out.push(tokens[i]!);
      else if (t.endsWith(WILDCARD)) out.push(tokens[i]!.slice(t.length - WILDCARD.length));
    }
    return out;
  }

  templates(): TemplateSummary[] {
    const all: TemplateSummary[] = [];
    for (const leaf of this.leaves.values())
      for (const c of leaf) all.push({ id: c.id, template: c.template, count: c.count, example: c.example });
    return all.sort((a, b) => b.count - a.count || a.template.localeCompare(b.template));
  }

  get templateCount(): number {
    return this.size;
  }

  snapshot(): MinerSnapshot {
    const clusters: MinerSnapshot['clusters'] = [];
    for (const leaf of this.leaves.values())
      for (const c of leaf)
        clusters.push({ tokens: [...c.tokens], count: c.count, example: c.example, lastSeen: c.lastSeen });
    return { version: 1, config: { ...this.config }, clock: this.clock, clusters };
  }

  static restore(snap: MinerSnapshot, cacheBudget?: LineCacheBudget): TemplateMiner {
    if (snap.version !== 1) throw new Error(`unsupported miner snapshot version ${String(snap.version)}`);
    const miner = new TemplateMiner(snap.config, cacheBudget);
    miner.clock = snap.clock;
    for (const c of snap.clusters) {
      const cluster = new Cluster([...c.tokens], c.count, c.example, c.lastSeen);
      const key = routeKey(cluster.tokens);
      let leaf = miner.leaves.get(key);
      if (!leaf) miner.leaves.set(key, (leaf = []));
      leaf.push(cluster);
      miner.size++;
    }
    return miner;
  }

  /**
   * Merges `fresh` with the clusters of its leaf that equal it but for one word, once there are
   * `mergeAfter` of them with distinct words at that position; returns the surviving cluster.
   */
  private mergeSiblings(leaf: Cluster[], fresh: Cluster): Cluster {
    const tokens = fresh.tokens;
    for (let p = 0; p < tokens.length; p++) {
      if (tokens[p]!.includes(WILDCARD)) continue;
      const siblings = leaf.filter(
        (o) => o !== fresh && o.tokens.length === tokens.length && onlyDiffersAt(o.tokens, tokens, p),
      );
      if (siblings.length + 1 < this.config.mergeAfter) continue;
      const target = siblings[0]!;
      target.widen(p);
      for (const o of [...siblings.slice(1), fresh]) this.mergeInto(leaf, o, target);
      return target;
    }
    return fresh;
  }

  /**
   * `general` takes a word at a wildcard position: a sibling that holds another word there (and
   * is covered by `general` everywhere else) was the same template mined before the position was
   * known to vary, and is merged into it.
   */
  private absorbSpecific(leaf: Cluster[], general: Cluster, masked: string[]): void {
    const tpl = general.tokens;
    for (let p = 0; p < tpl.length; p++) {
      if (tpl[p] !== WILDCARD || masked[p]!.includes(WILDCARD)) continue;
      for (const o of [...leaf]) {
        if (o === general || o.tokens.length !== tpl.length) continue;
        const word = o.tokens[p]!;
        if (word === masked[p] || word.includes(WILDCARD)) continue;
        if (o.tokens.every((t, q) => q === p || tokenCovers(tpl[q]!, t))) this.mergeInto(leaf, o, general);
      }
    }
  }

  private mergeInto(leaf: Cluster[], from: Cluster, target: Cluster): void {
    target.count += from.count;
    target.lastSeen = Math.max(target.lastSeen, from.lastSeen);
    from.mergedInto = target;
    leaf.splice(leaf.indexOf(from), 1);
    this.size--;
  }

  /** Most similar cluster of the leaf at or above the threshold; ties go to the more specific. */
  private best(leaf: Cluster[], masked: string[]): Cluster | null {
    let best: Cluster | null = null;
    let bestSim = -1;
    let bestWild = 0;
    for (const c of leaf) {
      const tpl = c.tokens;
      let same = 0;
      let wild = 0;
      for (let i = 0; i < tpl.length; i++) {
        // A wildcard matches any token; ties go to the template with fewer of them.
        const t = tpl[i]!;
        if (t === masked[i]) same++;
        else if (t.includes(WILDCARD) && tokenCovers(t, masked[i]!)) {
          wild++;
          same++;
        } else if (isPlainWord(t) && isPlainWord(masked[i]!)) {
          // Two words at one position are two kinds of line (`VM Started` / `VM Paused`) until
          // `mergeAfter` distinct words show it is a variable (user names): cardinality decides.
          same = -1;
          break;
        }
      }
      const sim = same / tpl.length;
      if (sim > bestSim || (sim === bestSim && wild < bestWild)) {
        best = c;
        bestSim = sim;
        bestWild = wild;
      }
    }
    return best && bestSim >= this.config.similarity ? best : null;
  }

  private remember(key: string, cluster: Cluster): void {
    const b = this.cacheBudget;
    if (this.exact.size >= MAX_EXACT_CACHE || b.used + key.length > b.maxChars) this.release();
    // Still over: other miners hold the budget, this line is not cached.
    if (b.used + key.length > b.maxChars) return;
    this.exact.set(key, cluster);
    this.cachedChars += key.length;
    b.used += key.length;
  }

  /** Empties the line cache, giving its share of the budget back (also when the miner is dropped). */
  release(): void {
    this.cacheBudget.used -= this.cachedChars;
    this.cachedChars = 0;
    this.exact.clear();
  }

  /** Drops the least recently used tenth of the templates (amortises the sort). */
  private evict(): void {
    const all: Cluster[] = [];
    for (const leaf of this.leaves.values()) all.push(...leaf);
    all.sort((a, b) => a.lastSeen - b.lastSeen);
    const gone = new Set(all.slice(0, Math.max(1, Math.floor(this.config.maxTemplates / 10))));
    for (const [key, leaf] of this.leaves) {
      const kept = leaf.filter((c) => !gone.has(c));
      if (kept.length) this.leaves.set(key, kept);
      else this.leaves.delete(key);
    }
    this.size -= gone.size;
    this.release();
  }
}

/** A line's tokens, masked and with variable-length value runs folded into one slot. */
function lineTokens(body: string): FoldedTokens {
  const raw = tokenize(body);
  return foldValueRuns(raw, maskTokens(raw));
}

/** True when `a` and `b` agree everywhere but at `p`, where both hold different words. */
function onlyDiffersAt(a: string[], b: string[], p: number): boolean {
  if (a[p] === b[p] || a[p]!.includes(WILDCARD)) return false;
  for (let i = 0; i < a.length; i++) if (i !== p && a[i] !== b[i]) return false;
  return true;
}

/**
 * Leaf of the prefix tree: token count and the first fixed word (values are skipped: a leading
 * IP or id says nothing about the kind of line, the verb after it does).
 */
function routeKey(masked: string[]): string {
  for (let i = 0; i < masked.length && i < 3; i++)
    if (!masked[i]!.includes(WILDCARD) && !isDottedName(masked[i]!))
      return `${masked.length} ${i} ${masked[i]}`;
  return `${masked.length} ${WILDCARD}`;
}

/** `com.apple.cache.daily:`: a qualified name (job, class, bundle) leading a line is a subject, not its verb. */
function isDottedName(token: string): boolean {
  const dot = token.indexOf('.');
  return dot > 0 && dot < token.length - 2 && token.indexOf('.', dot + 1) > dot + 1;
}

/** Letters only (`Started`, `bytes`): a word of the message, not a value. */
function isPlainWord(token: string): boolean {
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i) | 32;
    if (c < 97 || c > 122) return false;
  }
  return token.length > 0;
}
