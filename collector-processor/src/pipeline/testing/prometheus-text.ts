/*
 * Reads the Prometheus text exposition a test scrapes from /metrics. Label values are read with
 * their escapes (`\\`, `\"`, `\n`), so a stream named with quotes, braces or newlines is matched
 * exactly, and a line that does not parse is reported: a scrape Prometheus would refuse.
 */

export interface Sample {
  name: string;
  labels: Map<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][\w:]*)(?:\{((?:[^"}]|"(?:[^"\\]|\\.)*")*)\})? (\S+)(?: -?\d+)?$/;
const LABEL = /([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)",?/gy;

function unescape(v: string): string {
  return v.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** Samples of an exposition, and the lines that are neither samples, comments nor blank. */
export function parseExposition(text: string): { samples: Sample[]; invalid: string[] } {
  const samples: Sample[] = [];
  const invalid: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    const labels = new Map<string, string>();
    let ok = m !== null;
    if (m?.[2]) {
      LABEL.lastIndex = 0;
      let read = 0;
      for (let l = LABEL.exec(m[2]); l; l = LABEL.exec(m[2])) {
        labels.set(l[1]!, unescape(l[2]!));
        read = LABEL.lastIndex;
      }
      ok = read === m[2].length;
    }
    if (ok) samples.push({ name: m![1]!, labels, value: Number(m![3]) });
    else invalid.push(line.length > 200 ? `${line.slice(0, 200)}...` : line);
  }
  return { samples, invalid };
}

/** The sum of metric `name` over the samples whose labels include `labels`. */
export function sumOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const s of samples)
    if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels.get(k) === v)) sum += s.value;
  return sum;
}

/** Scrapes a service's /metrics on loopback and sums metric `name` over the matching samples. */
export async function scrapeSum(
  port: number,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return sumOf(parseExposition(text).samples, name, labels);
}
