import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = (args: string[]) =>
  spawnSync('node', ['collector-processor/bin/logsieve.js', ...args], { cwd: repoRoot, encoding: 'utf8' });

let file: string;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'logsieve-templates-'));
  file = path.join(dir, 'hdfs.log');
  const lines: string[] = [];
  for (let i = 0; i < 30; i++)
    lines.push(
      `081109 2036${String(i % 60).padStart(2, '0')} ${100 + i} INFO dfs.DataNode$PacketResponder: PacketResponder ${i % 3} for block blk_${1000 + i} terminating`,
    );
  for (let i = 0; i < 10; i++)
    lines.push(
      `081109 2037${String(i).padStart(2, '0')} 35 INFO dfs.FSNamesystem: BLOCK* NameSystem.allocateBlock: /user/root/part-${i}. blk_${i}`,
    );
  lines.push('\u0000\u0001\u0002');
  writeFileSync(file, lines.join('\n'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('logsieve templates', () => {
  it('prints templates largest first with counts, ids and an example', () => {
    const r = cli(['templates', '--input', file]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/COUNT\s+SHARE\s+ID\s+TEMPLATE/);
    expect(lines[1]).toMatch(
      /^\s*30\s+75\.0%\s+[0-9a-f]{16}\s+PacketResponder <\*> for block <\*> terminating$/,
    );
    expect(lines[2]).toMatch(/e\.g\. PacketResponder \d for block blk_\d+ terminating/);
    expect(lines[3]).toMatch(
      /^\s*10\s+25\.0%\s+[0-9a-f]{16}\s+BLOCK\* NameSystem\.allocateBlock: <\*>\. <\*>$/,
    );
    expect(r.stderr).toMatch(/41 lines in 1 stream\(s\), 2 templates; 1 malformed/);
  });

  it('prints a JSON array with --json', () => {
    const r = cli(['templates', '--input', file, '--json']);
    expect(r.status).toBe(0);
    const rows = JSON.parse(r.stdout) as {
      stream: string;
      id: string;
      template: string;
      count: number;
      example: string;
    }[];
    expect(rows.map((x) => x.count)).toEqual([30, 10]);
    expect(rows[0]).toMatchObject({
      stream: 'hdfs.log',
      template: 'PacketResponder <*> for block <*> terminating',
    });
    expect(rows[0]!.example).toMatch(/^PacketResponder/);
  });

  it('fails with one line and a non-zero exit on bad input', () => {
    const missing = cli(['templates', '--input', path.join(dir, 'missing.log')]);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    const none = cli(['templates']);
    expect(none.status).not.toBe(0);
    expect(none.stderr).toMatch(/--input/);
  });
});
