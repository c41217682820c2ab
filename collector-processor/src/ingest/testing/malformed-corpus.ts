import { gzipSync } from 'node:zlib';
import { rng } from '@logsieve/models';
import type { LogRecord } from '../../record';
import { encodeExportLogsRequest, exportLogsRequestJson } from '../otlp/otlp-logs-encoder';
import { ExportLogsServiceResponse, RpcStatus } from '../otlp/otlp-logs-schema';

/*
 * A seeded, deterministic corpus of hostile ingest inputs for the malformed-input test: each case
 * names the listener it goes to and the payload, never the expected answer (the test checks the
 * service's answers against its own metrics). Payloads are built on demand: some are 10 MB.
 */

export interface HttpCase {
  via: 'otlp_http' | 'rest';
  kind: string;
  /** Path and query. */
  path: string;
  headers: Record<string, string>;
  body: () => Buffer;
}

export interface GrpcCase {
  via: 'otlp_grpc';
  kind: string;
  /** The gRPC method path; the OTLP logs Export unless the case is about a wrong one. */
  method?: string;
  body: () => Buffer;
}

export type IngestCase = HttpCase | GrpcCase;

export interface ConfigCase {
  kind: 'bad_config' | 'bad_regex';
  /** A YAML document (written to a file) or environment overrides. */
  yaml?: string;
  env?: Record<string, string>;
}

export interface CorpusOptions {
  seed: number;
  /** limits.maxRecordsPerRequest of the service under test. */
  maxRecordsPerRequest: number;
  /** server.maxBodyBytes of the service under test. */
  maxBodyBytes: number;
}

const OTLP = '/v1/logs';
const REST = '/api/v1/logs?stream=corpus';
const PROTOBUF = { 'content-type': 'application/x-protobuf' };
const JSON_TYPE = { 'content-type': 'application/json' };
const NDJSON = { 'content-type': 'application/x-ndjson' };
const TEXT = { 'content-type': 'text/plain' };
const MB = 1 << 20;

/** A few plausible records with a random number of lines, services and attributes. */
function sampleRecords(rnd: () => number, n = 1 + Math.floor(rnd() * 8)): LogRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    stream: `corpus-${Math.floor(rnd() * 3)}`,
    line: i + 1,
    timeMs: 1_700_000_000_000 + Math.floor(rnd() * 3_600_000),
    severityNumber: 1 + Math.floor(rnd() * 24),
    severityText: 'INFO',
    body: `request ${Math.floor(rnd() * 1e6)} served in ${Math.floor(rnd() * 900)} ms`,
    attributes: { 'http.status': 200 + Math.floor(rnd() * 4) * 100, user: `u${i}` },
    traceId: rnd() < 0.5 ? '0af7651916cd43dd8448eb211c80319c' : undefined,
  }));
}

function truncate(rnd: () => number, b: Uint8Array): Buffer {
  return Buffer.from(b.subarray(0, Math.floor(rnd() * b.length)));
}

function flipBits(rnd: () => number, b: Uint8Array): Buffer {
  const out = Buffer.from(b);
  const flips = 1 + Math.floor(rnd() * 8);
  for (let i = 0; i < flips; i++) out[Math.floor(rnd() * out.length)]! ^= 1 << Math.floor(rnd() * 8);
  return out;
}

function randomBytes(rnd: () => number, n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256)));
}

/** Bytes that are never valid UTF-8: lone continuation bytes, overlongs, surrogates, 0xff. */
const INVALID_UTF8 = [
  [0x80],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xff],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xe2, 0x82],
];

function withInvalidUtf8(rnd: () => number, text: string): Buffer {
  const at = Math.floor(rnd() * text.length);
  const bad = INVALID_UTF8[Math.floor(rnd() * INVALID_UTF8.length)]!;
  return Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(bad), Buffer.from(text.slice(at))]);
}

/** OTLP/JSON with one body nested `depth` AnyValues deep (arrays or kvlists). */
function deepOtlpJson(depth: number, kv: boolean): Buffer {
  const open = kv ? '{"kvlistValue":{"values":[{"key":"k","value":' : '{"arrayValue":{"values":[';
  const close = kv ? '}]}}' : ']}}';
  return Buffer.from(
    `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":${open.repeat(depth)}{"stringValue":"x"}${close.repeat(depth)}}]}]}]}`,
  );
}

function deepJson(depth: number, rnd: () => number): string {
  return rnd() < 0.5
    ? `${'['.repeat(depth)}${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** gzip of `size` zero bytes: a few KB on the wire that inflate past any body limit. */
function gzipBomb(size: number): Buffer {
  return gzipSync(Buffer.alloc(size), { level: 9 });
}

/** An OTLP request with `n` tiny records (over limits.maxRecordsPerRequest when n is). */
function manyRecords(n: number): LogRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    stream: 'corpus-many',
    line: i + 1,
    timeMs: 1_700_000_000_000,
    severityNumber: 9,
    severityText: 'INFO',
    body: `r${i}`,
  }));
}

/** One record with a `bytes`-long body. */
function longLine(bytes: number): LogRecord[] {
  return [
    {
      stream: 'corpus-long',
      line: 1,
      timeMs: 1_700_000_000_000,
      severityNumber: 9,
      severityText: 'INFO',
      body: 'L'.repeat(bytes),
    },
  ];
}

/**
 * The ingest cases, in a shuffled (seeded) order so each listener sees its hostile inputs mixed
 * with the others'. Kinds and how many: see the counts the test prints.
 */
export function ingestCorpus(o: CorpusOptions): IngestCase[] {
  const rnd = rng(o.seed);
  const cases: IngestCase[] = [];
  const add = (n: number, make: (i: number) => IngestCase) => {
    for (let i = 0; i < n; i++) cases.push(make(i));
  };
  const proto = () => encodeExportLogsRequest(sampleRecords(rnd));
  const json = () => JSON.stringify(exportLogsRequestJson(sampleRecords(rnd)));

  // Binary OTLP, cut short or with flipped bits, over HTTP and gRPC.
  add(120, () => {
    const b = truncate(rnd, proto());
    return { via: 'otlp_http', kind: 'proto_truncated', path: OTLP, headers: PROTOBUF, body: () => b };
  });
  add(120, () => {
    const b = flipBits(rnd, proto());
    return { via: 'otlp_http', kind: 'proto_bitflip', path: OTLP, headers: PROTOBUF, body: () => b };
  });
  add(100, () => {
    const b = truncate(rnd, proto());
    return { via: 'otlp_grpc', kind: 'proto_truncated', body: () => b };
  });
  add(100, () => {
    const b = flipBits(rnd, proto());
    return { via: 'otlp_grpc', kind: 'proto_bitflip', body: () => b };
  });
  add(40, () => {
    const b = randomBytes(rnd, 1 + Math.floor(rnd() * 2000));
    return rnd() < 0.5
      ? { via: 'otlp_http', kind: 'random_bytes', path: OTLP, headers: PROTOBUF, body: () => b }
      : { via: 'otlp_grpc', kind: 'random_bytes', body: () => b };
  });

  // OTLP/JSON cut short or with flipped bits.
  add(60, () => {
    const b = truncate(rnd, Buffer.from(json()));
    return { via: 'otlp_http', kind: 'json_truncated', path: OTLP, headers: JSON_TYPE, body: () => b };
  });
  add(60, () => {
    const b = flipBits(rnd, Buffer.from(json()));
    return { via: 'otlp_http', kind: 'json_bitflip', path: OTLP, headers: JSON_TYPE, body: () => b };
  });

  // Invalid UTF-8 in OTLP/JSON, in REST JSON, NDJSON and plain text, and in protobuf strings.
  add(90, (i) => {
    const lines = JSON.stringify(['GET /a 200', 'GET /b 500']);
    const [via, path, headers, text] =
      i % 3 === 0
        ? (['otlp_http', OTLP, JSON_TYPE, json()] as const)
        : i % 3 === 1
          ? (['rest', REST, JSON_TYPE, lines] as const)
          : (['rest', REST, rnd() < 0.5 ? NDJSON : TEXT, '"line one"\n"line two"\n'] as const);
    const b = withInvalidUtf8(rnd, text);
    return { via, kind: 'invalid_utf8', path, headers, body: () => b };
  });
  add(20, () => {
    // A protobuf string field holding invalid UTF-8 (protobufjs refuses it on decode).
    const records = sampleRecords(rnd, 2);
    const bytes = Buffer.from(encodeExportLogsRequest(records));
    const at = bytes.indexOf(Buffer.from('request'));
    bytes[at] = 0xff;
    return rnd() < 0.5
      ? { via: 'otlp_grpc', kind: 'invalid_utf8', body: () => bytes }
      : { via: 'otlp_http', kind: 'invalid_utf8', path: OTLP, headers: PROTOBUF, body: () => bytes };
  });

  // 10 MB lines: over limits.maxLineBytes but under the body limit, so counted and skipped.
  add(6, (i) => {
    const records = longLine(10 * MB);
    if (i % 3 === 0)
      return {
        via: 'otlp_grpc',
        kind: 'line_10mb',
        body: () => Buffer.from(encodeExportLogsRequest(records)),
      };
    if (i % 3 === 1)
      return {
        via: 'otlp_http',
        kind: 'line_10mb',
        path: OTLP,
        headers: JSON_TYPE,
        body: () => Buffer.from(JSON.stringify(exportLogsRequestJson(records))),
      };
    return {
      via: 'rest',
      kind: 'line_10mb',
      path: REST,
      headers: TEXT,
      body: () => Buffer.from(`${'L'.repeat(10 * MB)}\nshort line\n`),
    };
  });

  // Deeply nested JSON: OTLP bodies, REST items and NDJSON lines, and lines that are deep JSON.
  add(80, (i) => {
    const depth = 50 + Math.floor(rnd() * 100_000);
    switch (i % 5) {
      case 0:
        return {
          via: 'otlp_http',
          kind: 'deep_json',
          path: OTLP,
          headers: JSON_TYPE,
          body: () => deepOtlpJson(depth, rnd() < 0.5),
        };
      case 1:
        return {
          via: 'rest',
          kind: 'deep_json',
          path: REST,
          headers: JSON_TYPE,
          body: () => Buffer.from(`[${deepJson(depth, rnd)}]`),
        };
      case 2:
        return {
          via: 'rest',
          kind: 'deep_json',
          path: REST,
          headers: NDJSON,
          body: () => Buffer.from(`"ok line"\n${deepJson(depth, rnd)}\n`),
        };
      case 3:
        // A valid request whose line is deep JSON: accepted, then decoded by the pipeline.
        return {
          via: 'rest',
          kind: 'deep_json',
          path: REST,
          headers: JSON_TYPE,
          body: () => Buffer.from(JSON.stringify([`{"msg":${deepJson(Math.min(depth, 20_000), rnd)}}`])),
        };
      default:
        return {
          via: 'rest',
          kind: 'deep_json',
          path: REST,
          headers: TEXT,
          body: () => Buffer.from(`{"message":${deepJson(Math.min(depth, 20_000), rnd)}}\n`),
        };
    }
  });

  // Wrong or missing content types and encodings.
  const wrongTypes = [
    'text/xml',
    'application/octet-stream',
    'multipart/form-data; boundary=x',
    'application/grpc',
    'image/png',
    '',
  ];
  add(60, (i) => {
    const type = wrongTypes[i % wrongTypes.length]!;
    const headers: Record<string, string> = type ? { 'content-type': type } : {};
    const b = i % 2 ? Buffer.from(proto()) : Buffer.from(json());
    return {
      via: i % 4 < 2 ? 'otlp_http' : 'rest',
      kind: 'wrong_content_type',
      path: i % 4 < 2 ? OTLP : REST,
      headers,
      body: () => b,
    };
  });
  add(30, (i) => {
    // Protobuf sent as JSON and JSON sent as protobuf.
    const asJson = i % 2 === 0;
    const b = asJson ? Buffer.from(proto()) : Buffer.from(json());
    return {
      via: 'otlp_http',
      kind: 'mismatched_content_type',
      path: OTLP,
      headers: asJson ? JSON_TYPE : PROTOBUF,
      body: () => b,
    };
  });
  add(20, (i) => {
    const encoding = ['br', 'deflate', 'compress', 'zstd', 'gzip, br'][i % 5]!;
    const b = gzipSync(Buffer.from(json()));
    return {
      via: i % 2 ? 'rest' : 'otlp_http',
      kind: 'wrong_content_encoding',
      path: i % 2 ? REST : OTLP,
      headers: { ...JSON_TYPE, 'content-encoding': encoding },
      body: () => b,
    };
  });

  // gzip bombs and corrupt gzip.
  add(8, (i) => {
    const b = gzipBomb(o.maxBodyBytes + MB);
    return {
      via: i % 2 ? 'rest' : 'otlp_http',
      kind: 'gzip_bomb',
      path: i % 2 ? REST : OTLP,
      headers: { ...(i % 2 ? TEXT : PROTOBUF), 'content-encoding': 'gzip' },
      body: () => b,
    };
  });
  add(60, (i) => {
    const gz = gzipSync(i % 2 ? Buffer.from(json()) : Buffer.from(proto()));
    const b = rnd() < 0.5 ? truncate(rnd, gz) : flipBits(rnd, gz);
    return {
      via: 'otlp_http',
      kind: 'corrupt_gzip',
      path: OTLP,
      headers: { ...(i % 2 ? JSON_TYPE : PROTOBUF), 'content-encoding': 'gzip' },
      body: () => b,
    };
  });
  add(10, () => {
    const b = randomBytes(rnd, 200);
    return {
      via: 'rest',
      kind: 'corrupt_gzip',
      path: REST,
      headers: { ...TEXT, 'content-encoding': 'gzip' },
      body: () => b,
    };
  });

  // Over the body limit as sent, and over the record limit.
  add(4, (i) => {
    const size = o.maxBodyBytes + 1 + i;
    return i % 2
      ? {
          via: 'rest',
          kind: 'body_too_large',
          path: REST,
          headers: TEXT,
          body: () => Buffer.alloc(size, 0x61),
        }
      : { via: 'otlp_grpc', kind: 'body_too_large', body: () => Buffer.alloc(size, 0x0a) };
  });
  add(2, () => ({
    via: 'otlp_http',
    kind: 'body_too_large',
    path: OTLP,
    headers: PROTOBUF,
    body: () => Buffer.alloc(o.maxBodyBytes + 1, 0x0a),
  }));
  add(9, (i) => {
    const n = o.maxRecordsPerRequest + 1 + i;
    if (i % 3 === 0)
      return {
        via: 'otlp_grpc',
        kind: 'too_many_records',
        body: () => Buffer.from(encodeExportLogsRequest(manyRecords(n))),
      };
    if (i % 3 === 1)
      return {
        via: 'otlp_http',
        kind: 'too_many_records',
        path: OTLP,
        headers: PROTOBUF,
        body: () => Buffer.from(encodeExportLogsRequest(manyRecords(n))),
      };
    return {
      via: 'rest',
      kind: 'too_many_records',
      path: REST,
      headers: NDJSON,
      body: () =>
        Buffer.from(
          manyRecords(n)
            .map((r) => JSON.stringify(r.body))
            .join('\n'),
        ),
    };
  });

  // REST bodies of the right type but the wrong shape.
  const shapes = [
    '{"line":"x"}',
    '[1,2,3]',
    '[{"line":5}]',
    '[{"line":"x","stream":""}]',
    '[{"line":"x","stream":7}]',
    'null',
    '"just a string"',
    '[[["x"]]]',
    '{"lines":[]}',
    '[{"stream":"s"}]',
    '[',
    '',
  ];
  add(60, (i) => {
    const shape = shapes[i % shapes.length]!;
    const ndjson = i % 2 === 1;
    const b = Buffer.from(ndjson ? `"fine"\n${shape}\n` : shape);
    return {
      via: 'rest',
      kind: 'rest_wrong_shape',
      path: REST,
      headers: ndjson ? NDJSON : JSON_TYPE,
      body: () => b,
    };
  });

  // gRPC messages of the wrong type or to the wrong method.
  add(40, (i) => {
    const other =
      i % 2
        ? RpcStatus.encode(
            RpcStatus.fromObject({
              code: 3,
              message: 'not logs',
              details: [{ typeUrl: 'x', value: randomBytes(rnd, 20) }],
            }),
          ).finish()
        : ExportLogsServiceResponse.encode(
            ExportLogsServiceResponse.fromObject({
              partialSuccess: { rejectedLogRecords: 5, errorMessage: 'x' },
            }),
          ).finish();
    const b = Buffer.from(other);
    return { via: 'otlp_grpc', kind: 'grpc_wrong_message', body: () => b };
  });
  add(20, (i) => {
    const method = [
      '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
      '/opentelemetry.proto.collector.logs.v1.LogsService/Exp0rt',
      '/grpc.health.v1.Health/Check',
      '/x/y',
    ][i % 4]!;
    const b = Buffer.from(proto());
    return { via: 'otlp_grpc', kind: 'grpc_wrong_method', method, body: () => b };
  });

  // Shuffle (Fisher-Yates on the same seed).
  for (let i = cases.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [cases[i], cases[j]] = [cases[j]!, cases[i]!];
  }
  return cases;
}

/** Regular expressions that do not compile in JavaScript. */
export const BAD_REGEXES = [
  '(',
  '[a-',
  '*x',
  '(?<n>a',
  'a{2,1}',
  '\\',
  '(?<a>x)(?<a>y)',
  '[z-a]',
  'x**',
  '(?P<n>x)',
  '+',
  '(?=',
  'a)',
  '(?<1>x)',
];

/** Configurations that must stop start-up with one line naming the problem. */
export function configCorpus(seed: number): ConfigCase[] {
  const rnd = rng(seed);
  const cases: ConfigCase[] = [];
  for (const re of BAD_REGEXES) {
    cases.push({ kind: 'bad_regex', yaml: `features:\n  sessionKey: ${JSON.stringify(re)}\n` });
    cases.push({ kind: 'bad_regex', env: { LOGSIEVE_FEATURES__SESSION_KEY: JSON.stringify(re) } });
  }
  const numeric = [
    'server.maxBodyBytes',
    'server.ports.rest',
    'server.ports.otlpGrpc',
    'limits.maxLineBytes',
    'limits.maxRecordsPerRequest',
    'limits.maxTemplatesPerStream',
    'limits.maxStreams',
    'ingest.queueCapacity',
    'model.baselineMinutes',
    'features.windowSeconds',
  ];
  const badNumbers = ['-1', '0.5', '"many"', 'true', '[]', '{}', '1e400', '99999999999999999999999'];
  for (const key of numeric) {
    for (let k = 0; k < 4; k++) {
      const v = badNumbers[Math.floor(rnd() * badNumbers.length)]!;
      // 0.5 and 1e400 are fine for the few keys that take any positive number: skip those pairs.
      if (
        (key.startsWith('model.') || key.startsWith('features.')) &&
        !['-1', '"many"', 'true', '[]', '{}'].includes(v)
      )
        continue;
      const [a, b, c] = key.split('.');
      cases.push({
        kind: 'bad_config',
        yaml: c ? `${a}:\n  ${b}:\n    ${c}: ${v}\n` : `${a}:\n  ${b}: ${v}\n`,
      });
    }
  }
  const documents = [
    'server: [',
    'server:\n\tport: 1',
    '- just\n- a list',
    'nonsense: true',
    'server:\n  hots: 127.0.0.1',
    'server:\n  host: 0.0.0.0',
    'storage:\n  kind: oracle',
    'storage:\n  kind: postgres',
    'cache:\n  kind: redis',
    'ingest:\n  kafka:\n    enabled: true',
    'ingest:\n  kafka:\n    encoding: avro',
    'log:\n  level: loud',
    'auth:\n  apiKeys: "not-a-list"',
    'limits: 5',
    'a: &x [*x]',
    '"unterminated',
    'key: value\nkey: again',
    ': : :',
  ];
  for (const yaml of documents) cases.push({ kind: 'bad_config', yaml });
  const envs: Record<string, string>[] = [
    { LOGSIEVE_SERVER__PORTS__REST: 'eighty' },
    { LOGSIEVE_SERVER__NOPE: '1' },
    { LOGSIEVE_LIMITS__MAX_LINE_BYTES: '-5' },
    { LOGSIEVE_LIMITS: '1' },
    { LOGSIEVE_INGEST__KAFKA__BROKERS: '[unclosed' },
    { LOGSIEVE_STORAGE__KIND: 'oracle' },
  ];
  for (const env of envs) cases.push({ kind: 'bad_config', env });
  return cases;
}
