import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Shared helpers of the mining benchmarks: where the Loghub sets are and how to read them. */

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const datasetsRoot = path.resolve(repoRoot, '../shared/datasets');

export interface LoghubSystem {
  name: string;
  logFile: string;
  /** Ground-truth event id of each line, in line order. */
  events: string[];
}

/** Minimal RFC 4180 reader (quoted fields, doubled quotes, newlines inside quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Every system of a Loghub-2k style folder that has a log and a (corrected) ground truth. */
export function loadSystems(dataset: string): LoghubSystem[] {
  const root = path.join(datasetsRoot, dataset);
  if (!existsSync(root)) return [];
  const out: LoghubSystem[] = [];
  for (const name of readdirSync(root).sort()) {
    const logFile = path.join(root, name, `${name}_2k.log`);
    const truth = [`${logFile}_structured_corrected.csv`, `${logFile}_structured.csv`].find((f) =>
      existsSync(f),
    );
    if (!existsSync(logFile) || !truth) continue;
    const rows = parseCsv(readFileSync(truth, 'utf8'));
    const header = rows[0]!;
    const idCol = header.indexOf('LineId');
    const evCol = header.indexOf('EventId');
    const events: string[] = [];
    for (const r of rows.slice(1)) if (r.length > evCol) events[Number(r[idCol]) - 1] = r[evCol]!;
    out.push({ name, logFile, events });
  }
  return out;
}

/**
 * Loghub group accuracy: the fraction of lines whose predicted group holds exactly the lines of
 * their ground-truth group.
 */
export function groupAccuracy(predicted: string[], truth: string[]): number {
  const truthSize = new Map<string, number>();
  for (const t of truth) truthSize.set(t, (truthSize.get(t) ?? 0) + 1);
  const groups = new Map<string, number[]>();
  predicted.forEach((p, i) => {
    let g = groups.get(p);
    if (!g) groups.set(p, (g = []));
    g.push(i);
  });
  let correct = 0;
  for (const lines of groups.values()) {
    const t = truth[lines[0]!]!;
    if (lines.every((i) => truth[i] === t) && truthSize.get(t) === lines.length) correct += lines.length;
  }
  return correct / truth.length;
}
