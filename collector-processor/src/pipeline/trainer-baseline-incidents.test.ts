import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { rand } from '../score/rules/testing/units';
import { train } from './trainer';

const bin = resolve(import.meta.dirname, '../../bin/logsieve.js');

/**
 * HDFS-like block lifecycles; `incident` adds the WARN line of a failed delete, `hot` has the block
 * read by a dozen clients (rare, normal, and the same lines each time).
 */
function block(id: number, t: number, r: () => number, incident: boolean, hot = false): string[] {
  const blk = `blk_${1000 + id}`;
  const ts = (s: number) => `081109 ${String(200000 + t + s).padStart(6, '0')}`;
  const ip = () => `10.251.${Math.floor(r() * 200)}.${Math.floor(r() * 200)}`;
  const lines = [
    `${ts(0)} 35 INFO dfs.FSNamesystem: BLOCK* NameSystem.allocateBlock: /user/root/part-${id}. ${blk}`,
    ...[0, 1, 2].map(
      (k) =>
        `${ts(1)} 14${k} INFO dfs.DataNode$DataXceiver: Receiving block ${blk} src: /${ip()}:5${k}000 dest: /${ip()}:50010`,
    ),
    ...[0, 1, 2].map(
      (k) =>
        `${ts(2)} 15${k} INFO dfs.DataNode$PacketResponder: PacketResponder ${k} for block ${blk} terminating`,
    ),
  ];
  if (hot)
    for (let k = 0; k < 12; k++)
      lines.push(
        `${ts(3)} 17${k} INFO dfs.DataNode$DataXceiver: ${ip()}:50010 Served block ${blk} to /${ip()}`,
      );
  else if (!incident && r() < 0.4)
    lines.push(
      `${ts(3)} 160 WARN dfs.DataNode$DataXceiver: ${ip()}:50010:Got exception while serving ${blk} to /${ip()}:`,
    );
  if (incident)
    lines.push(
      `${ts(4)} 19 WARN dfs.FSDataset: Unexpected error trying to delete block ${blk}. BlockInfo not found in volumeMap.`,
    );
  return lines;
}

describe('training on a baseline that holds incidents', () => {
  const dir = mkdtempSync(join(tmpdir(), 'logsieve-baseline-'));
  const r = rand(11);
  let manifest: { training: { units: number; leftOutUnits: number; modeRepeats: number } };
  beforeAll(async () => {
    // 1,200 blocks, 1.5 % of them the incident: as often as a rare normal block, but an error; 2 %
    // hot blocks, extreme for the models but the same each time.
    const lines: string[] = [];
    for (let i = 0; i < 1200; i++) lines.push(...block(i, i * 10, r, i % 67 === 5, i % 50 === 7));
    writeFileSync(join(dir, 'hdfs.log'), lines.join('\n') + '\n');
    const test: string[] = [];
    for (let i = 0; i < 40; i++) test.push(...block(5000 + i, 20000 + i * 10, r, i === 20, i === 30));
    writeFileSync(join(dir, 'test.log'), test.join('\n') + '\n');
    await train({
      inputs: [join(dir, 'hdfs.log')],
      out: join(dir, 'model'),
      unit: { kind: 'session', sessionKey: 'blk_\\d+', idleSeconds: 3600 },
    });
    manifest = JSON.parse(readFileSync(join(dir, 'model/manifest.json'), 'utf8'));
  }, 120_000);

  it('leaves the baseline incidents out, so the next one of the kind is flagged, and keeps its repeated rare blocks', () => {
    expect(manifest.training.leftOutUnits).toBeGreaterThanOrEqual(17);
    // The failed deletes repeat one pattern: a mode must repeat more often than they do (the
    // false-alarm rate alone would ask for 3 repeats of 1,200 units).
    expect(manifest.training.modeRepeats).toBeGreaterThanOrEqual(17);
    const d = spawnSync(
      process.execPath,
      [
        bin,
        'detect',
        '--model',
        join(dir, 'model'),
        '--input',
        join(dir, 'test.log'),
        '--out',
        join(dir, 'units.jsonl'),
        '--all',
      ],
      { encoding: 'utf8' },
    );
    expect(d.status, d.stderr).toBe(0);
    const units = readFileSync(join(dir, 'units.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { unit: string; anomaly: boolean; models: Record<string, number> });
    const flagged = units.filter((u) => u.anomaly).map((u) => u.unit);
    // blk_6030 is hot: learned, not flagged.
    expect(flagged).toEqual(['blk_6020']);
    // Learned as normal, the models would score it like any block; left out, they see it.
    const incident = units.find((u) => u.unit === 'blk_6020')!;
    expect(Math.max(...Object.values(incident.models))).toBeGreaterThan(75);
  }, 60_000);
});
