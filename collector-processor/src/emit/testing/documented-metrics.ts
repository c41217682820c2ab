import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** The metrics table of docs/metrics.md (name -> type and label names): the contract users alert on. */
export async function documentedMetrics(): Promise<Map<string, { type: string; labels: string[] }>> {
  const doc = await readFile(path.join(repoRoot, 'docs/metrics.md'), 'utf8');
  const out = new Map<string, { type: string; labels: string[] }>();
  for (const m of doc.matchAll(/^\|\s*`(logsieve_\w+)`\s*\|\s*(\w+)\s*\|([^|]*)\|/gm)) {
    // "stage (`decode_mine`, `score`)": the label names, without their value lists.
    const names = m[3]!.replace(/\([^)]*\)/g, '').trim();
    const labels = names ? names.split(',').map((l) => l.trim()) : [];
    out.set(m[1]!, { type: m[2]!, labels: labels.sort() });
  }
  return out;
}
