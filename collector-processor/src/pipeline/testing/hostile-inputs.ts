import { gzipSync } from 'node:zlib';
import { rng } from '@logsieve/models';
import { ExportLogsServiceRequest } from '../../ingest/otlp/otlp-logs-schema';
import type { GrpcCase, HttpCase, IngestCase } from '../../ingest/testing/malformed-corpus';
import { PROTOTYPE_NAMES } from './prototype-names';

/*
 * Seeded hostile requests for the service fuzz test (issue 14): stream names that are
 * Object.prototype members or hold NUL, lone surrogates or hundreds of KB; event times from 1970
 * to +275760 and past 2^64 ns; bodies of every AnyValue shape, nested thousands deep or at the
 * line limit; `__proto__` attribute and JSON keys; and malformed protobuf, JSON and gzip, over
 * OTLP/HTTP (protobuf and JSON), OTLP/gRPC and REST. A case says what it sends, never the answer
 * it expects: the test holds every answer to the same rule.
 */

export interface HostileOptions {
  seed: number;
  /** How many cases (the kinds keep their proportions). */
  cases: number;
  /** limits.maxLineBytes and server.maxBodyBytes of the service under test. */
  maxLineBytes: number;
  maxBodyBytes: number;
}

type Rnd = () => number;
type Obj = Record<string, unknown>;
type Wire = 'json' | 'proto';

const OTLP = '/v1/logs';
const PROTOBUF = { 'content-type': 'application/x-protobuf' };
const JSON_TYPE = { 'content-type': 'application/json' };

const pick = <T>(rnd: Rnd, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const int = (rnd: Rnd, lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));

/** Printable ASCII that does not compress: a long name must stay long in an index too. */
function randomText(rnd: Rnd, n: number): string {
  return Array.from({ length: n }, () => String.fromCharCode(0x21 + Math.floor(rnd() * 0x5e))).join('');
}

/** Stream names (and scope names) the cases draw from; a fixed pool keeps the stream count bounded. */
function hostileNames(rnd: Rnd): string[] {
  return [
    ...PROTOTYPE_NAMES,
    'prototype',
    '__proto__.polluted',
    '',
    ' ',
    '\u0000',
    'nul\u0000name',
    '\ud800',
    'half \ud83d emoji',
    'low \udc00 first',
    'pair \ud83d\ude00 ok',
    'quote " brace } newline \n backslash \\',
    'label="x",other="y"',
    '_other',
    'unknown_service',
    '%00',
    '../../../etc/passwd',
    '\u202egnp.exe',
    "'; DROP TABLE streams; --",
    randomText(rnd, 300),
    randomText(rnd, 3_000),
    randomText(rnd, 70_000),
    randomText(rnd, 200_000),
  ];
}

const Y2100_NS = '4102444800000000000';
/** timeUnixNano values both encodings carry: 1970, 2100, past int64, the largest fixed64. */
const TIMES = [
  undefined,
  '0',
  '1',
  '86400000000000',
  Y2100_NS,
  '9223372036854775807',
  '9223372036854775808',
  '18446744073709551615',
];
/** Valid only in OTLP/JSON: past 2^64 ns, 1e300, fractions, null. */
const JSON_TIMES_VALID = ['18446744073709551616', '99999999999999999999', 1e300, 1.7e19, 1.5, null];
/** Not a time at all: negative, NaN, ISO text, wrong types (the request is a 400). */
const JSON_TIMES_INVALID = ['-1', 'NaN', '1e300', '', -5, true, {}, '+275760-09-13T00:00:00.000Z'];
/** Times at the start of a text line. */
const LINE_TIMES = [
  '2100-01-01T00:00:00Z',
  '1970-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00.000Z',
  '0000-00-00T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '2024-02-30T25:61:61Z',
  '2100-01-01T00:00:00.123456789123Z',
  'NaN',
];
/** JSON values of a `"time"` field. */
const JSON_TIMES = [
  '1e300',
  '-1e300',
  '1e19',
  '-1',
  '0',
  '"NaN"',
  '"Infinity"',
  '"+275760-09-13T00:00:00.000Z"',
  '"-271821-04-20T00:00:00.000Z"',
  '"2100-01-01T00:00:00Z"',
  '"1970-01-01T00:00:00Z"',
  '99999999999999999999',
  '"99999999999999999999"',
  '4102444800000',
  '4102444800000000000',
  'null',
  '{}',
  '[]',
  'true',
];
const TIME_KEYS = ['time', 'timestamp', 'ts', '@timestamp', 'date'];
const KEYS = [...PROTOTYPE_NAMES, 'prototype', '', 'a\u0000b', '\ud800', 'service.name', 'http.status'];

/** JSON text nested `depth` levels (arrays or objects). */
function deepJson(rnd: Rnd, depth: number): string {
  return rnd() < 0.5
    ? `${'['.repeat(depth)}1${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** A log line: hostile times in text, JSON and logfmt, NUL, lone surrogates, deep JSON, the line limit. */
function hostileLine(rnd: Rnd, maxLineBytes: number): string {
  const n = int(rnd, 0, 99_999);
  switch (int(rnd, 0, 11)) {
    case 0:
      return `${pick(rnd, LINE_TIMES)} INFO api user ${n} logged in`;
    case 1:
      return `{"${pick(rnd, TIME_KEYS)}":${pick(rnd, JSON_TIMES)},"level":"info","msg":"order ${n} placed"}`;
    case 2:
      return `{"__proto__":{"level":"error","time":${pick(rnd, JSON_TIMES)}},"constructor":{"prototype":{"polluted":true}},"toString":1,"msg":"x ${n}"}`;
    case 3:
      return `time=${pick(rnd, LINE_TIMES)} level=info __proto__=1 constructor=2 toString=3 msg="job ${n}"`;
    case 4:
      return `user ${n} said \u0000 hello`;
    case 5:
      return `half \ud83d emoji, low \udc00 first, ${n}`;
    case 6:
      return `{"msg":${deepJson(rnd, int(rnd, 1_000, 5_000))}}`;
    case 7:
      return '';
    case 8:
      // Around limits.maxLineBytes, in one-byte and three-byte characters.
      return rnd() < 0.5
        ? 'x'.repeat(maxLineBytes + int(rnd, -2, 2))
        : '\u20ac'.repeat(Math.floor(maxLineBytes / 3) + int(rnd, -1, 1));
    case 9:
      return `<34>1 ${pick(rnd, LINE_TIMES)} host app ${n} - - syslog line`;
    case 10:
      return `${'['.repeat(int(rnd, 1_000, 5_000))} unbalanced`;
    default:
      return `{"msg":"dup ${n}","time":${pick(rnd, JSON_TIMES)},"time":"2100-01-01T00:00:00Z"}`;
  }
}

/**
 * An AnyValue nested `depth` arrays or kvlists deep (JSON form). Past 100 levels it is a
 * placeholder that jsonText() writes out as text: JSON.stringify itself would overflow the stack.
 */
function nestedValue(rnd: Rnd, depth: number): Obj {
  const kv = rnd() < 0.5;
  if (depth > 100) return { stringValue: `${DEEP}${depth} ${kv}` };
  let v: Obj = { stringValue: 'leaf' };
  for (let i = 0; i < depth; i++)
    v = kv ? { kvlistValue: { values: [{ key: '__proto__', value: v }] } } : { arrayValue: { values: [v] } };
  return v;
}

const DEEP = '\u0001nest ';
const DEEP_PLACEHOLDER = /\{"stringValue":"\\u0001nest (\d+) (true|false)"\}/g;

/** OTLP/JSON text of a request, its deep placeholders written out. */
function jsonText(request: Obj): string {
  return JSON.stringify(request).replace(DEEP_PLACEHOLDER, (_, depth: string, kv: string) => {
    const n = Number(depth);
    return kv === 'true'
      ? `${'{"kvlistValue":{"values":[{"key":"__proto__","value":'.repeat(n)}{"stringValue":"leaf"}${'}]}}'.repeat(n)}`
      : `${'{"arrayValue":{"values":['.repeat(n)}{"stringValue":"leaf"}${']}}'.repeat(n)}`;
  });
}

function leafValue(rnd: Rnd, maxLineBytes: number): Obj {
  switch (int(rnd, 0, 6)) {
    case 0:
      return { stringValue: hostileLine(rnd, maxLineBytes) };
    case 1:
      return { intValue: pick(rnd, ['9223372036854775807', '-9223372036854775808', '0']) };
    case 2:
      return { doubleValue: pick(rnd, ['NaN', 'Infinity', '-Infinity', 1e308, -0]) };
    case 3:
      return { bytesValue: pick(rnd, ['', 'AAEC', '////']) };
    case 4:
      return { boolValue: rnd() < 0.5 };
    case 5:
      return {};
    default:
      return { stringValue: '' };
  }
}

/** Keys: Object.prototype members, NUL, a lone surrogate, and a `__proto__` holding a service.name. */
function hostileAttributes(rnd: Rnd, maxLineBytes: number): Obj[] {
  const out: Obj[] = Array.from({ length: int(rnd, 0, 4) }, () => ({
    key: pick(rnd, KEYS),
    value: leafValue(rnd, maxLineBytes),
  }));
  if (rnd() < 0.3)
    out.push({
      key: '__proto__',
      value: {
        kvlistValue: {
          values: [
            { key: 'service.name', value: { stringValue: 'polluted' } },
            { key: 'polluted', value: { boolValue: true } },
          ],
        },
      },
    });
  return out;
}

/** A body (or none): every AnyValue shape, nested up to the decoder's bound. */
function hostileBody(rnd: Rnd, maxLineBytes: number): Obj | undefined {
  switch (int(rnd, 0, 9)) {
    case 0:
      return undefined;
    case 1:
    case 2:
    case 3:
      return { stringValue: hostileLine(rnd, maxLineBytes) };
    case 4:
      return {
        arrayValue: { values: Array.from({ length: int(rnd, 0, 4) }, () => leafValue(rnd, maxLineBytes)) },
      };
    case 5:
      return { kvlistValue: { values: hostileAttributes(rnd, maxLineBytes) } };
    case 6:
      // protobufjs encodes at most 100 nested messages (a kvlist level is three).
      return nestedValue(rnd, pick(rnd, [10, 20, 30]));
    default:
      return leafValue(rnd, maxLineBytes);
  }
}

function hostileTime(rnd: Rnd, wire: Wire): unknown {
  if (rnd() < 0.3) return String(BigInt(Date.now()) * 1_000_000n);
  return wire === 'json' && rnd() < 0.3 ? pick(rnd, JSON_TIMES_VALID) : pick(rnd, TIMES);
}

function hostileRecord(rnd: Rnd, wire: Wire, maxLineBytes: number): Obj {
  const r: Obj = {};
  const time = hostileTime(rnd, wire);
  if (time !== undefined) r.timeUnixNano = time;
  if (rnd() < 0.3) r.observedTimeUnixNano = hostileTime(rnd, wire);
  if (rnd() < 0.5)
    r.severityNumber =
      wire === 'json'
        ? pick(rnd, [-1, 0, 9, 24, 25, 2 ** 31, 'SEVERITY_NUMBER_ERROR', 'constructor'])
        : pick(rnd, [0, 9, 24, 25, 1000]);
  if (rnd() < 0.3) r.severityText = pick(rnd, ['INFO', '__proto__', '\u0000', '\ud800', '']);
  const body = hostileBody(rnd, maxLineBytes);
  if (body !== undefined) r.body = body;
  if (rnd() < 0.5) r.attributes = hostileAttributes(rnd, maxLineBytes);
  if (rnd() < 0.1) {
    const [trace, span] = pick(rnd, [
      ['0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331'],
      ['00000000000000000000000000000000', '0000000000000000'],
    ] as const);
    r.traceId = wire === 'json' ? trace : Buffer.from(trace, 'hex');
    r.spanId = wire === 'json' ? span : Buffer.from(span, 'hex');
  }
  return r;
}

/** One thing no valid request holds, put in `r`; returns its name. */
function breakRecord(rnd: Rnd, r: Obj, wire: Wire): string {
  const breakages: [string, () => void][] =
    wire === 'json'
      ? [
          ['bad_time', () => (r.timeUnixNano = pick(rnd, JSON_TIMES_INVALID))],
          ['too_deep', () => (r.body = nestedValue(rnd, pick(rnd, [50, 51, 3_000, 5_000])))],
          ['bad_int', () => (r.body = { intValue: pick(rnd, ['1e3', 'NaN', '0x10']) })],
          ['bad_trace_id', () => (r.traceId = pick(rnd, ['zz', '12', 'not hex']))],
          ['key_not_string', () => (r.attributes = [{ key: 7, value: {} }])],
        ]
      : // Deeper than protobufjs encodes: deepProtoRequest.
        [
          ['bad_trace_id', () => (r.traceId = Buffer.from([1, 2]))],
          ['bad_span_id', () => (r.spanId = Buffer.alloc(9, 1))],
        ];
  const [name, apply] = pick(rnd, breakages);
  apply();
  return name;
}

/** The resource: service.name from the pool, absent, not a string, twice, or behind a `__proto__` key. */
function hostileResource(rnd: Rnd, names: string[], maxLineBytes: number): Obj | undefined {
  const attrs: Obj[] = [];
  const name = { key: 'service.name', value: { stringValue: pick(rnd, names) } };
  switch (int(rnd, 0, 7)) {
    case 0:
      return undefined;
    case 1:
      attrs.push({ key: 'service.name', value: { intValue: '7' } });
      break;
    case 2:
      attrs.push(name, { key: 'service.name', value: { stringValue: pick(rnd, names) } });
      break;
    case 3:
      attrs.push(...hostileAttributes(rnd, maxLineBytes), name);
      break;
    default:
      attrs.push(name);
  }
  return { attributes: attrs };
}

/**
 * An ExportLogsServiceRequest (JSON form) of 1 to 24 records, and what is wrong with it: in one
 * request of five, one record gets a value no valid request holds ('' when none).
 */
function hostileRequest(rnd: Rnd, names: string[], wire: Wire, maxLineBytes: number) {
  const records: Obj[] = [];
  const request = {
    resourceLogs: Array.from({ length: int(rnd, 1, 3) }, () => {
      const resource = hostileResource(rnd, names, maxLineBytes);
      return {
        ...(resource ? { resource } : {}),
        scopeLogs: Array.from({ length: int(rnd, 1, 2) }, () => ({
          ...(rnd() < 0.3 ? { scope: { name: pick(rnd, names) } } : {}),
          logRecords: Array.from({ length: int(rnd, 1, 4) }, () => {
            const r = hostileRecord(rnd, wire, maxLineBytes);
            records.push(r);
            return r;
          }),
        })),
      };
    }),
  };
  const broken = rnd() < 0.2 ? breakRecord(rnd, pick(rnd, records), wire) : '';
  // Protobuf strings are UTF-8: a lone surrogate cannot be encoded (protobufjs writes invalid
  // UTF-8), so binary requests carry them only as a breakage of their own.
  if (wire === 'json') return { request, broken };
  if (broken || rnd() >= 0.1) return { request: wellFormed(request) as Obj, broken };
  return { request, broken: 'lone_surrogate' };
}

/** `v` with every string's lone surrogates replaced by U+FFFD. */
function wellFormed(v: unknown): unknown {
  if (typeof v === 'string') return (v as unknown as { toWellFormed(): string }).toWellFormed();
  if (Array.isArray(v)) return v.map(wellFormed);
  if (v === null || typeof v !== 'object' || Buffer.isBuffer(v)) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, wellFormed(x)]));
}

function encodeProto(request: Obj): Buffer {
  return Buffer.from(ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(request)).finish());
}

/** Length-delimited protobuf field. */
function ld(field: number, bytes: Buffer | string): Buffer {
  const b = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  return Buffer.concat([varint((field << 3) | 2), varint(b.length), b]);
}

function varint(n: number): Buffer {
  const out: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 128)) out.push((n & 0x7f) | 0x80);
  out.push(n);
  return Buffer.from(out);
}

/** A request whose one body is `depth` ArrayValues deep, built by hand (protobufjs stops at 100 messages). */
function deepProtoRequest(depth: number, stream: string): Buffer {
  let v = ld(1, 'leaf'); // AnyValue.string_value
  for (let i = 0; i < depth; i++) v = ld(5, ld(1, v)); // AnyValue.array_value -> ArrayValue.values
  const resource = ld(1, Buffer.concat([ld(1, 'service.name'), ld(2, ld(1, stream))]));
  return ld(1, Buffer.concat([ld(1, resource), ld(2, ld(2, ld(5, v)))]));
}

/** A request cut short or with flipped bits: malformed on purpose. */
function damage(rnd: Rnd, b: Buffer): { body: Buffer; how: string } {
  if (rnd() < 0.5) return { body: b.subarray(0, Math.floor(rnd() * b.length)), how: 'truncated' };
  const out = Buffer.from(b);
  for (let i = int(rnd, 1, 8); i > 0; i--) out[Math.floor(rnd() * out.length)]! ^= 1 << int(rnd, 0, 7);
  return { body: out, how: 'bitflip' };
}

function otlpHttpCase(rnd: Rnd, names: string[], maxLineBytes: number): HttpCase {
  const wire: Wire = rnd() < 0.6 ? 'json' : 'proto';
  const { request, broken } = hostileRequest(rnd, names, wire, maxLineBytes);
  const bytes = wire === 'json' ? Buffer.from(jsonText(request)) : encodeProto(request);
  const headers: Record<string, string> = { ...(wire === 'json' ? JSON_TYPE : PROTOBUF) };
  let { body, how } = rnd() < 0.1 ? damage(rnd, bytes) : { body: bytes, how: broken || 'plain' };
  if (rnd() < 0.15) {
    const gz = gzipSync(body);
    headers['content-encoding'] = 'gzip';
    body = rnd() < 0.3 ? gz.subarray(0, Math.floor(gz.length / 2)) : gz;
    how = `${how}+gzip${body.length < gz.length ? '_truncated' : ''}`;
  }
  return { via: 'otlp_http', kind: `otlp_http_${wire}/${how}`, path: OTLP, headers, body: () => body };
}

function otlpGrpcCase(rnd: Rnd, names: string[], maxLineBytes: number): GrpcCase {
  const { request, broken } = hostileRequest(rnd, names, 'proto', maxLineBytes);
  const bytes = encodeProto(request);
  const { body, how } = rnd() < 0.1 ? damage(rnd, bytes) : { body: bytes, how: broken || 'plain' };
  return { via: 'otlp_grpc', kind: `otlp_grpc/${how}`, body: () => body };
}

/** Percent-encodes UTF-16 as WTF-8, so a lone surrogate travels as %ED%A0%80 (invalid UTF-8). */
function percentEncode(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    const bytes =
      cp >= 0xd800 && cp <= 0xdfff
        ? [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)]
        : [...Buffer.from(ch)];
    out += bytes.map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');
  }
  return out;
}

function restCase(rnd: Rnd, names: string[], maxLineBytes: number): HttpCase {
  const query = pick(rnd, [
    '',
    () => `?stream=${percentEncode(pick(rnd, names))}`,
    '?stream=__proto__&stream=constructor',
    '?__proto__[stream]=x&constructor=1',
    '?stream[__proto__]=x',
    '?stream=%',
  ]);
  const path = `/api/v1/logs${typeof query === 'function' ? query() : query}`;
  const type = pick(rnd, ['application/json', 'application/x-ndjson', 'text/plain']);
  const lines = Array.from({ length: int(rnd, 1, 6) }, () => hostileLine(rnd, maxLineBytes));
  if (type === 'text/plain') {
    // Raw bytes: NUL as itself, and now and then invalid UTF-8.
    const text = Buffer.from(lines.join('\n'));
    const body = rnd() < 0.1 ? Buffer.concat([text, Buffer.from([0xc0, 0xaf, 0xff])]) : text;
    return { via: 'rest', kind: 'rest/text', path, headers: { 'content-type': type }, body: () => body };
  }
  const items: unknown[] = lines.map((line) => {
    const r = rnd();
    if (r < 0.4) return line;
    if (r < 0.96) return { line, stream: pick(rnd, names) };
    // Wrong shapes: a `__proto__` member, no line, a line that is not a string.
    return pick(rnd, [
      JSON.parse('{"__proto__":{"line":"inherited"},"stream":"x"}') as unknown,
      { stream: '__proto__' },
      { line: ['a'], stream: 'constructor' },
      JSON.parse(`{"line":"x","stream":"__proto__","__proto__":{"stream":"polluted"}}`) as unknown,
      [[[line]]],
    ]);
  });
  let text =
    type === 'application/json' ? JSON.stringify(items) : items.map((i) => JSON.stringify(i)).join('\n');
  if (rnd() < 0.05) text = `[${deepJson(rnd, 4_000)}]`;
  const bytes = Buffer.from(text);
  const { body, how } = rnd() < 0.1 ? damage(rnd, bytes) : { body: bytes, how: 'plain' };
  const kind = `rest/${type === 'application/json' ? 'json' : 'ndjson'}/${how}`;
  return { via: 'rest', kind, path, headers: { 'content-type': type }, body: () => body };
}

/** Bodies at server.maxBodyBytes, one byte over, and a gzip that inflates past it. */
function bodyLimitCases(maxBody: number, maxLineBytes: number): IngestCase[] {
  const line = `${'b'.repeat(maxLineBytes - 1)}\n`;
  const text = (n: number) => Buffer.from(line.repeat(Math.ceil(n / line.length)).slice(0, n));
  const oneRecord = (size: number) => {
    const envelope = JSON.stringify({
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: '' } }] }] }],
    });
    return Buffer.from(
      envelope.replace('"stringValue":""', `"stringValue":"${'c'.repeat(size - envelope.length)}"`),
    );
  };
  const rest = (body: Buffer, kind: string, headers: Record<string, string> = {}): HttpCase => ({
    via: 'rest',
    kind,
    path: '/api/v1/logs?stream=limits',
    headers: { 'content-type': 'text/plain', ...headers },
    body: () => body,
  });
  return [
    rest(text(maxBody), 'limit/rest_at_body_limit'),
    rest(text(maxBody + 1), 'limit/rest_over_body_limit'),
    rest(gzipSync(text(maxBody + 1)), 'limit/rest_gzip_over_body_limit', { 'content-encoding': 'gzip' }),
    {
      via: 'otlp_http',
      kind: 'limit/otlp_at_body_limit',
      path: OTLP,
      headers: JSON_TYPE,
      body: () => oneRecord(maxBody),
    },
    {
      via: 'otlp_http',
      kind: 'limit/otlp_over_body_limit',
      path: OTLP,
      headers: JSON_TYPE,
      body: () => oneRecord(maxBody + 1),
    },
    {
      via: 'otlp_grpc',
      kind: 'limit/grpc_over_body_limit',
      body: () => deepProtoRequest(0, 'x'.repeat(maxBody)),
    },
  ];
}

/**
 * The cases, shuffled (seeded) so each listener sees the kinds mixed: 5 % binary OTLP nested 40 to
 * 5,000 deep, the body limits, then about 40 % OTLP/HTTP, 30 % OTLP/gRPC and 30 % REST.
 */
export function hostileCorpus(o: HostileOptions): IngestCase[] {
  const rnd = rng(o.seed);
  const names = hostileNames(rnd);
  const cases: IngestCase[] = [];
  const deep = Math.max(2, Math.round(o.cases * 0.05));
  for (let i = 0; i < deep; i++) {
    const body = deepProtoRequest(pick(rnd, [40, 99, 3_000, 5_000]), pick(rnd, names));
    cases.push(
      i % 2
        ? { via: 'otlp_grpc', kind: 'otlp_grpc/deep', body: () => body }
        : { via: 'otlp_http', kind: 'otlp_http_proto/deep', path: OTLP, headers: PROTOBUF, body: () => body },
    );
  }
  cases.push(...bodyLimitCases(o.maxBodyBytes, o.maxLineBytes));
  while (cases.length < o.cases) {
    const r = rnd();
    cases.push(
      r < 0.4
        ? otlpHttpCase(rnd, names, o.maxLineBytes)
        : r < 0.7
          ? otlpGrpcCase(rnd, names, o.maxLineBytes)
          : restCase(rnd, names, o.maxLineBytes),
    );
  }
  for (let i = cases.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [cases[i], cases[j]] = [cases[j]!, cases[i]!];
  }
  return cases;
}
