import { describe, it, expect } from 'vitest';
import { createStreamDecoder } from './stream-decoder';

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);

describe('createStreamDecoder', () => {
  it('detects the format from the first line and fills the record', () => {
    const d = createStreamDecoder('api', { nowMs: NOW });
    const r = d.decode('{"level":"info","msg":"hello","ts":"2024-05-01T10:00:00Z"}', 1)!;
    expect(d.format).toBe('json');
    expect(r).toMatchObject({
      stream: 'api',
      line: 1,
      body: 'hello',
      severityText: 'info',
      severityNumber: 9,
    });
    expect(r.raw).toBe('{"level":"info","msg":"hello","ts":"2024-05-01T10:00:00Z"}');
  });

  it('re-detects when the stream changes format', () => {
    const d = createStreamDecoder('s', { nowMs: NOW });
    d.decode('{"msg":"a"}', 1);
    expect(d.decode('2024-05-01 10:00:00,123 WARN Main: switched logger', 2)!.body).toBe('switched logger');
    expect(d.format).toBe('text');
    expect(d.decode('{"msg":"back"}', 3)!.body).toBe('back');
    expect(d.format).toBe('json');
    expect(d.decode('level=info msg=fmt', 4)!.body).toBe('fmt');
    expect(d.format).toBe('logfmt');
  });

  it('unwraps container lines and decodes the inner line', () => {
    const d = createStreamDecoder('pod', { nowMs: NOW });
    const cri = d.decode('2024-05-01T10:00:00Z stdout F {"level":"error","msg":"boom"}', 1)!;
    expect(cri).toMatchObject({
      body: 'boom',
      severityNumber: 17,
      timeMs: Date.parse('2024-05-01T10:00:00Z'),
    });
    const docker = createStreamDecoder('c', { nowMs: NOW }).decode(
      '{"log":"2024-05-01 10:00:01,000 INFO Srv: up\\n","stream":"stdout","time":"2024-05-01T10:00:01Z"}',
      1,
    )!;
    expect(docker).toMatchObject({ body: 'up', severityText: 'INFO', component: 'Srv' });
  });

  it('returns null for malformed lines: empty, blank, binary, broken JSON in a JSON stream', () => {
    const d = createStreamDecoder('s', { nowMs: NOW });
    expect(d.decode('', 1)).toBeNull();
    expect(d.decode('   \t ', 2)).toBeNull();
    expect(d.decode('\u0000\u0001\u0002binary\u0003\u0004', 3)).toBeNull();
    expect(d.decode('\x01\x02\x03\x04\x05\x06ab', 4)).toBeNull();
    expect(d.decode(`${' '.repeat(300)}indented text`, 4)!.body).toContain('indented text');
    expect(d.decode('text with one \x07 bell', 4)!.body).toBe('text with one \x07 bell');
    d.decode('{"msg":"ok"}', 5);
    expect(d.decode('{"msg": "cut in the mid', 6)).toBeNull();
    expect(d.decode('{"msg":"fine again"}', 7)!.body).toBe('fine again');
  });

  it('keeps JSON-looking text as text in a text stream', () => {
    const d = createStreamDecoder('s', { nowMs: NOW });
    d.decode('2024-05-01 10:00:00 INFO A: x', 1);
    expect(d.decode('{broken', 2)!.body).toBe('{broken');
  });

  it('decodes a very long line without failing', () => {
    const d = createStreamDecoder('s', { nowMs: NOW });
    const long = `2024-05-01 10:00:00 INFO A: ${'word '.repeat(20_000)}`;
    expect(d.decode(long, 1)!.body.length).toBeGreaterThan(90_000);
  });

  it('decodes primed lines like the rest of the stream', () => {
    const messages = [
      'Link error on port 3',
      'Fan speeds ( 3552 3534 )',
      'Component State Change: alt0 unavailable',
      'boot (command 1911)',
    ];
    const lines = Array.from(
      { length: 30 },
      (_, i) => `${10 + i * 3701} node-${i} unix.hw state ${1077804742 + i} 1 ${messages[i % 4]}`,
    );
    const primed = createStreamDecoder('hpc', { nowMs: NOW });
    primed.prime(lines);
    const bodies = lines.map((l, i) => primed.decode(l, i + 1)!.body);
    expect(bodies.slice(0, 4)).toEqual(messages);
    expect(new Set(bodies).size).toBe(4);
  });
});
