import { describe, it, expect } from 'vitest';
import { clfFormat } from './clf-format';
import { criFormat, dockerFormat } from './container-format';
import { jsonFormat } from './json-format';
import { logfmtFormat, parseLogfmt } from './logfmt-format';
import { rfc3164Format, rfc5424Format } from './syslog-format';
import { Severity } from '../record';

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);

describe('json lines', () => {
  const f = jsonFormat(NOW);

  it('takes message, level, time, component and trace ids', () => {
    const d = f.decode(
      '{"time":"2024-05-01T10:00:00.123Z","level":"warn","msg":"disk 91% full","logger":"fs","trace_id":"abc","user":7}',
    )!;
    expect(d.body).toBe('disk 91% full');
    expect(d.severityNumber).toBe(Severity.WARN);
    expect(d.severityText).toBe('warn');
    expect(d.timeMs).toBe(Date.parse('2024-05-01T10:00:00.123Z'));
    expect(d.component).toBe('fs');
    expect(d.traceId).toBe('abc');
    expect(d.attributes).toMatchObject({ user: 7 });
  });

  it('reads numeric levels (pino) and epoch times in s/ms/µs', () => {
    expect(f.decode('{"level":50,"time":1714557600000,"msg":"x"}')).toMatchObject({
      severityNumber: Severity.ERROR,
      timeMs: 1714557600000,
    });
    expect(f.decode('{"ts":1714557600.5,"message":"x"}')!.timeMs).toBe(1714557600500);
    expect(f.decode('{"__REALTIME_TIMESTAMP":"1714557600000000","MESSAGE":"x"}')!.timeMs).toBe(1714557600000);
  });

  it('reads journald export PRIORITY as a syslog severity code', () => {
    const line = (p: string) =>
      `{"__REALTIME_TIMESTAMP":"1714557600000000","PRIORITY":${p},"SYSLOG_IDENTIFIER":"sshd","MESSAGE":"x"}`;
    expect(f.decode(line('"3"'))).toMatchObject({
      severityNumber: Severity.ERROR,
      severityText: 'err',
      component: 'sshd',
    });
    expect(f.decode(line('"4"'))!.severityNumber).toBe(Severity.WARN);
    expect(f.decode(line('"6"'))!.severityNumber).toBe(Severity.INFO);
    expect(f.decode(line('2'))!.severityNumber).toBe(Severity.FATAL);
  });

  it('uses the whole object as message when there is no message field', () => {
    expect(f.decode('{"a":1,"b":"x"}')!.body).toBe('{"a":1,"b":"x"}');
  });

  it('keeps the raw line as message when the message value is nested too deeply to print', () => {
    const line = `{"msg":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    expect(f.decode(line)!.body).toBe(line);
  });

  it('bounds attribute depth and makes JSON-escaped NUL and lone surrogates safe to store', () => {
    const deep = `${'['.repeat(5000)}1${']'.repeat(5000)}`;
    const d = f.decode(`{"msg":"a\\u0000b","k\\u0000":"\\ud800","deep":${deep}}`)!;
    expect(d.body).toBe('a\ufffdb');
    expect(d.attributes?.['k\ufffd']).toBe('\ufffd');
    // Nothing recursive overflows on the record any more.
    expect(() => JSON.stringify(d)).not.toThrow();
    expect(JSON.stringify(d.attributes?.['deep'])).toContain('[[[');
  });

  it('rejects what is not a JSON object', () => {
    expect(f.decode('{"msg": "unterminated')).toBeNull();
    expect(f.decode('[1,2,3]')).toBeNull();
    expect(f.decode('plain text')).toBeNull();
    expect(f.decode('{not json at all}')).toBeNull();
  });
});

describe('container logs', () => {
  it('unwraps CRI lines', () => {
    const d = criFormat().decode('2024-05-01T10:00:00.123456789Z stderr F level=info msg="started"')!;
    expect(d.body).toBe('level=info msg="started"');
    expect(d.timeMs).toBe(Date.parse('2024-05-01T10:00:00.123Z'));
    expect(d.attributes).toMatchObject({ 'log.iostream': 'stderr', partial: false });
    expect(criFormat().decode('2024-05-01 stdout F x')).toBeNull();
  });

  it('unwraps docker json-file lines', () => {
    const d = dockerFormat().decode(
      '{"log":"GET / 200\\n","stream":"stdout","time":"2024-05-01T10:00:00Z"}',
    )!;
    expect(d.body).toBe('GET / 200');
    expect(d.timeMs).toBe(Date.parse('2024-05-01T10:00:00Z'));
    expect(dockerFormat().decode('{"log":"x"')).toBeNull();
    expect(dockerFormat().decode('{"msg":"x"}')).toBeNull();
  });
});

describe('syslog', () => {
  it('reads RFC 5424 with structured data', () => {
    const d = rfc5424Format().decode(
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="App"] An application event',
    )!;
    expect(d.body).toBe('An application event');
    expect(d.component).toBe('evntslog');
    expect(d.severityText).toBe('notice');
    expect(d.timeMs).toBe(Date.parse('2003-10-11T22:14:15.003Z'));
    expect(d.attributes).toMatchObject({
      'host.name': 'mymachine.example.com',
      'syslog.msgid': 'ID47',
      'syslog.facility': 20,
    });
  });

  it('reads RFC 5424 without structured data or message', () => {
    expect(rfc5424Format().decode('<34>1 2003-10-11T22:14:15Z host su - - -')!.body).toBe('');
    expect(rfc5424Format().decode('<34>2 bad version')).toBeNull();
  });

  it('reads RFC 3164 with and without PRI, inferring the year', () => {
    const d = rfc3164Format(NOW).decode(
      '<38>Oct 11 22:14:15 mymachine su[123]: su root failed on /dev/pts/8',
    )!;
    expect(d.body).toBe('su root failed on /dev/pts/8');
    expect(d.component).toBe('su');
    expect(d.severityNumber).toBe(Severity.INFO);
    expect(new Date(d.timeMs!).toISOString()).toBe('2026-10-11T22:14:15.000Z');
    const plain = rfc3164Format(NOW).decode(
      'Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass; user unknown',
    )!;
    expect(plain).toMatchObject({ body: 'check pass; user unknown', component: 'sshd', severityNumber: 0 });
    expect(rfc3164Format(NOW).decode('Jun 14 not a time host x: y')).toBeNull();
  });
});

describe('Common/Combined Log Format', () => {
  it('reads a combined line', () => {
    const d = clfFormat().decode(
      '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 404 2326 "http://ex.com/" "Mozilla/4.08"',
    )!;
    expect(d.body).toBe('GET /apache_pb.gif HTTP/1.0 404');
    expect(d.severityNumber).toBe(Severity.WARN);
    expect(d.timeMs).toBe(Date.parse('2000-10-10T20:55:36Z'));
    expect(d.attributes).toMatchObject({
      'client.address': '127.0.0.1',
      'user.name': 'frank',
      'http.response.body.size': 2326,
      'user_agent.original': 'Mozilla/4.08',
    });
  });

  it('keeps fields a custom log_format appends, such as $request_time', () => {
    const d = clfFormat().decode(
      '10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET /a HTTP/1.1" 200 512 "-" "curl/8" 0.042',
    )!;
    expect(d.body).toBe('GET /a HTTP/1.1 200 0.042');
  });

  it('reads a common line and rejects others', () => {
    expect(
      clfFormat().decode('::1 - - [10/Oct/2000:13:55:36 +0000] "POST /x HTTP/1.1" 500 -')!.severityNumber,
    ).toBe(Severity.ERROR);
    expect(clfFormat().decode('127.0.0.1 - - [10/Oct/2000] GET')).toBeNull();
  });
});

describe('logfmt', () => {
  it('parses pairs with quoted values', () => {
    expect([...parseLogfmt('a=1 b="x y" c= d="q\\"uote"')!]).toEqual([
      ['a', '1'],
      ['b', 'x y'],
      ['c', ''],
      ['d', 'q"uote'],
    ]);
    expect(parseLogfmt('just text a=1')).toBeNull();
    expect(parseLogfmt('a=1')).toBeNull();
  });

  it('takes msg, level and time', () => {
    const d = logfmtFormat(NOW).decode('time=2024-05-01T10:00:00Z level=error msg="db timeout" dur=3s')!;
    expect(d).toMatchObject({
      body: 'db timeout',
      severityNumber: Severity.ERROR,
      timeMs: Date.parse('2024-05-01T10:00:00Z'),
    });
    expect(d.attributes).toMatchObject({ dur: '3s' });
  });

  it('uses the remaining pairs as message when there is no msg', () => {
    expect(logfmtFormat(NOW).decode('level=info path=/x status=200')!.body).toBe('path=/x status=200');
  });
});

describe('keys that are Object.prototype members', () => {
  it('are attributes like any other in JSON and logfmt lines, never the prototype', () => {
    const j = jsonFormat(NOW).decode(
      '{"msg":"hello","__proto__":{"polluted":1},"constructor":"c","toString":"t"}',
    )!;
    expect(Object.keys(j.attributes!).sort()).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Object.getOwnPropertyDescriptor(j.attributes, '__proto__')?.value).toEqual({ polluted: 1 });
    expect((j.attributes as { polluted?: unknown }).polluted).toBeUndefined();
    const l = logfmtFormat(NOW).decode('__proto__=x constructor=y msg=hi')!;
    expect(Object.keys(l.attributes!).sort()).toEqual(['__proto__', 'constructor']);
    expect(l.attributes!['__proto__']).toBe('x');
  });
});
