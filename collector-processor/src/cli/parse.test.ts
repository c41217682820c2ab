import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = (args: string[], input?: Buffer | string) =>
  spawnSync('node', ['collector-processor/bin/logsieve.js', ...args], {
    cwd: repoRoot,
    input,
    encoding: 'utf8',
  });

let dir: string;
const APP = [
  '2024-05-01 10:00:00,001 INFO [main] app.Server: user alice logged in from the console',
  '2024-05-01 10:00:01,002 WARN [main] app.Server: disk 91 percent full on /dev/sda1',
  '',
  '2024-05-01 10:00:02,003 INFO [main] app.Server: user bob logged in from the console',
  '2024-05-01 10:00:03,004 INFO [main] app.Server: user carol logged in from the console',
];

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'logsieve-parse-'));
  mkdirSync(path.join(dir, 'logs'));
  writeFileSync(path.join(dir, 'logs', 'app.log'), APP.join('\n') + '\n');
  writeFileSync(
    path.join(dir, 'logs', 'web.log'),
    '{"level":"error","msg":"upstream timeout after 30s","time":"2024-05-01T10:00:00Z"}\n',
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function readJsonl(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('logsieve parse', () => {
  it('writes one object per input line, in order, with the final template of each line', () => {
    const out = path.join(dir, 'out.jsonl');
    const r = cli(['parse', '--input', path.join(dir, 'logs'), '--out', out]);
    expect(r.status).toBe(0);
    const rows = readJsonl(out);
    expect(rows).toHaveLength(6);
    for (const row of rows)
      expect(Object.keys(row)).toEqual([
        'stream',
        'line',
        'time',
        'severity',
        'template_id',
        'template',
        'params',
      ]);
    expect(rows.map((x) => [x.stream, x.line])).toEqual([
      ['app.log', 1],
      ['app.log', 2],
      ['app.log', 3],
      ['app.log', 4],
      ['app.log', 5],
      ['web.log', 1],
    ]);
    // Line 1 was mined before the third user made the name a variable: it gets the final template.
    expect(rows[0]!.template).toBe('user <*> logged in from the console');
    expect(rows[0]!.template_id).toBe(rows[3]!.template_id);
    expect(rows[0]!.template_id).toBe(rows[4]!.template_id);
    expect(rows[0]!.params).toEqual(['alice']);
    expect(rows[0]).toMatchObject({ time: '2024-05-01T10:00:00.001Z', severity: 'INFO' });
    expect(rows[1]).toMatchObject({
      severity: 'WARN',
      template: 'disk <*> percent full on <*>',
      params: ['91', '/dev/sda1'],
    });
    expect(rows[2]).toMatchObject({ template_id: null, template: null, params: [] });
    expect(rows[5]).toMatchObject({
      severity: 'ERROR',
      time: '2024-05-01T10:00:00.000Z',
      template: 'upstream timeout after <*>',
    });
    expect(r.stderr).toMatch(/6 lines in 2 stream\(s\).*1 malformed line/);
  });

  it('reads gzip from stdin', () => {
    const out = path.join(dir, 'stdin.jsonl');
    const r = cli(['parse', '--input', '-', '--out', out], gzipSync(APP.join('\n')));
    expect(r.status).toBe(0);
    const rows = readJsonl(out);
    expect(rows.map((x) => x.stream)).toEqual(['stdin', 'stdin', 'stdin', 'stdin', 'stdin']);
    expect(rows[0]!.template).toBe(rows[4]!.template);
  });

  it('fails with one line and a non-zero exit on bad input', () => {
    const missing = cli(['parse', '--input', path.join(dir, 'nope.log'), '--out', path.join(dir, 'x.jsonl')]);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/nope\.log: no such file/);
    const noOut = cli(['parse', '--input', path.join(dir, 'logs')]);
    expect(noOut.status).not.toBe(0);
    expect(noOut.stderr).toMatch(/--out/);
    const badOut = cli([
      'parse',
      '--input',
      path.join(dir, 'logs'),
      '--out',
      path.join(dir, 'no-dir', 'x.jsonl'),
    ]);
    expect(badOut.status).not.toBe(0);
    expect(badOut.stderr).toMatch(/cannot write/);
  });
});
