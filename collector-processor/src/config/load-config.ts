import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { configSchema, type Config } from './config-schema';

export type { Config } from './config-schema';

/** Any configuration problem: its message is the one line the CLI prints. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface LoadConfigOptions {
  /** YAML file; absent means defaults (plus env and overrides). */
  file?: string;
  /** Environment to read `LOGSIEVE_*` overrides from (pass process.env; tests pass their own). */
  env?: NodeJS.ProcessEnv;
  /** Command-line flags, which win over both the file and the environment. */
  overrides?: { dataDir?: string; modelDir?: string };
}

type Tree = Record<string, unknown>;
const ENV_PREFIX = 'LOGSIEVE_';

const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads, merges and validates the configuration; throws ConfigError with one line. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const tree = options.file ? readYamlFile(options.file) : {};
  applyEnv(tree, options.env ?? {});
  const { dataDir, modelDir } = options.overrides ?? {};
  if (dataDir !== undefined) tree.dataDir = dataDir;
  if (modelDir !== undefined) setPath(tree, ['model', 'dir'], modelDir);

  const result = configSchema.safeParse(tree, { reportInput: true });
  if (!result.success) throw new ConfigError(formatIssue(result.error.issues[0]!));
  return result.data;
}

function readYamlFile(file: string): Tree {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `config: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    const detail = err instanceof YAMLParseError ? err.message.split('\n')[0] : String(err);
    throw new ConfigError(`config: ${file}: invalid YAML: ${detail}`);
  }
  if (doc === null || doc === undefined) return {};
  if (!isTree(doc)) throw new ConfigError(`config: ${file}: expected a mapping at the top level`);
  return doc;
}

/**
 * `LOGSIEVE_A__B__C=value` sets a.b.c. Segments match the camelCase keys case-insensitively, with
 * or without underscores (`MAXBODYBYTES` or `MAX_BODY_BYTES`), resolved against the defaults so
 * a typo is reported rather than ignored. Variables whose first segment is no config key at all
 * are left alone: LOGSIEVE_ is also a prefix for things that are not configuration.
 */
function applyEnv(tree: Tree, env: NodeJS.ProcessEnv): void {
  const defaults: Tree = configSchema.parse({ auth: { enabled: true } });
  const vars = Object.keys(env)
    .filter((k) => k.startsWith(ENV_PREFIX) && env[k] !== undefined)
    .sort();
  for (const name of vars) {
    const segments = name.slice(ENV_PREFIX.length).split('__');
    const path: string[] = [];
    let shape: unknown = defaults;
    for (const seg of segments) {
      const key = isTree(shape) ? matchKey(shape, seg) : undefined;
      if (key === undefined) {
        if (path.length === 0) break;
        throw new ConfigError(
          `config: ${[...path, seg.toLowerCase()].join('.')}: unknown key (from ${name})`,
        );
      }
      path.push(key);
      shape = (shape as Tree)[key];
    }
    if (path.length !== segments.length) continue;
    if (isTree(shape))
      throw new ConfigError(`config: ${path.join('.')}: ${name} must name a single value, not a section`);
    setPath(tree, path, parseScalar(env[name]!, name));
  }
}

function matchKey(shape: Tree, segment: string): string | undefined {
  const want = segment.replace(/_/g, '').toLowerCase();
  return Object.keys(shape).find((k) => k.toLowerCase() === want);
}

/** YAML scalar semantics: `8081` is a number, `true` a boolean, `["a","b"]` a list. */
function parseScalar(value: string, name: string): unknown {
  try {
    return parseYaml(value);
  } catch {
    throw new ConfigError(`config: ${name}: cannot parse value ${JSON.stringify(value)}`);
  }
}

function setPath(tree: Tree, path: string[], value: unknown): void {
  let node = tree;
  for (const key of path.slice(0, -1)) {
    if (!isTree(node[key])) node[key] = {};
    node = node[key] as Tree;
  }
  node[path[path.length - 1]!] = value;
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String);
  switch (issue.code) {
    case 'unrecognized_keys':
      return `config: ${[...path, issue.keys[0]].join('.')}: unknown key`;
    case 'invalid_type': {
      const expected = issue.message.startsWith('expected ') ? issue.message : `expected ${issue.expected}`;
      return `config: ${path.join('.')}: ${expected}, got ${describe(issue.input)}`;
    }
    case 'too_small':
    case 'too_big': {
      const op = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const what = issue.origin === 'number' ? '' : `${issue.origin} length `;
      return `config: ${path.join('.')}: ${what}must be ${op} ${String(bound)}, got ${describe(issue.input)}`;
    }
    case 'invalid_value':
      return `config: ${path.join('.')}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describe(issue.input)}`;
    default:
      return `config: ${path.join('.') || '(top level)'}: ${issue.message}`;
  }
}

function describe(input: unknown): string {
  if (input === undefined) return 'nothing';
  const text = JSON.stringify(input) ?? String(input);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
