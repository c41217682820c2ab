import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { Role } from '../api/routes';
import type { ApiKeyStore } from '../store/api-key-store';
import type { Storage } from '../store/storage';
import { CliError } from './cli-error';

const ROLE_NAMES = ['viewer', 'editor', 'admin'];
/** The audit actor for changes made from the command line: `cli:` and the OS user who ran it. */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    // No passwd entry (e.g. an arbitrary container uid): fall back to the environment.
    return `cli:${process.env.USER ?? 'unknown'}`;
  }
}

export interface KeyAdmin {
  keys: Pick<ApiKeyStore, 'create' | 'list' | 'revoke'>;
  audit: Pick<Storage, 'appendAudit'>;
}

/** Checked before the database is opened, so bad flags fail fast. */
function checkNewKey(name: string, role: string): role is Role {
  if (!name.trim()) throw new CliError('--name must not be empty');
  if (!ROLE_NAMES.includes(role)) throw new CliError(`--role must be one of ${ROLE_NAMES.join(', ')}`);
  return true;
}

/** Creates a key and returns the text to print: the plaintext key appears here and nowhere else. */
export async function createKey(a: KeyAdmin, name: string, role: string): Promise<string> {
  checkNewKey(name, role);
  const { key, info } = await a.keys.create(name.trim(), role as Role);
  await a.audit.appendAudit({
    actor: cliActor(),
    action: 'api_key.create',
    target: info.id,
    after: { name: info.name, role: info.role },
  });
  return `${key}\nid ${info.id}, role ${info.role}. Store the key now: it is not shown again.\n`;
}

export async function listKeys(a: KeyAdmin, json: boolean): Promise<string> {
  const keys = await a.keys.list();
  if (json) return `${JSON.stringify(keys, null, 1)}\n`;
  const rows = keys.map((k) =>
    [k.id, k.role.padEnd(6), k.revokedAt ? 'revoked' : 'active ', k.lastUsedAt ?? '-', k.name].join('  '),
  );
  return `${['ID                ROLE    STATE    LAST USED  NAME', ...rows].join('\n')}\n`;
}

export async function revokeKey(a: KeyAdmin, id: string): Promise<string> {
  const info = await a.keys.revoke(id);
  if (!info) throw new CliError(`no API key with id ${id}`);
  await a.audit.appendAudit({
    actor: cliActor(),
    action: 'api_key.revoke',
    target: id,
    after: { name: info.name, role: info.role, revokedAt: info.revokedAt },
  });
  return `revoked ${id} (${info.name})\n`;
}

interface StoreFlags {
  config?: string;
  dataDir?: string;
}

/** Opens the configured storage (migrated), runs `fn` and closes it. */
async function withKeyAdmin(flags: StoreFlags, fn: (a: KeyAdmin) => Promise<string>): Promise<void> {
  const [{ loadConfig, ConfigError }, { storageOptions }, { openKeyAdmin }] = await Promise.all([
    import('../config/load-config'),
    import('../store/open-storage'),
    import('./keys-storage'),
  ]);
  let config;
  try {
    config = loadConfig({ file: flags.config, env: process.env, overrides: { dataDir: flags.dataDir } });
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
  const admin = await openKeyAdmin(storageOptions(config));
  try {
    process.stdout.write(await fn(admin));
  } finally {
    await admin.close();
  }
}

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('manage API keys for the REST API and receivers');
  const store = (c: Command) =>
    c
      .option('--config <file>', 'YAML configuration (its storage section picks the database)')
      .option('--data-dir <dir>', 'state folder (default ./.logsieve)');
  store(
    keys
      .command('create')
      .description('create a key and print it once')
      .requiredOption('--name <name>', 'who or what the key is for')
      .requiredOption('--role <role>', 'viewer, editor or admin'),
  ).action((o: StoreFlags & { name: string; role: string }) => {
    checkNewKey(o.name, o.role);
    return withKeyAdmin(o, (a) => createKey(a, o.name, o.role));
  });
  store(keys.command('list').description('list keys (never their secrets)'))
    .option('--json', 'print JSON')
    .action((o: StoreFlags & { json?: boolean }) => withKeyAdmin(o, (a) => listKeys(a, o.json === true)));
  store(keys.command('revoke').description('revoke a key by id').argument('<id>', 'the key id')).action(
    (id: string, o: StoreFlags) => withKeyAdmin(o, (a) => revokeKey(a, id)),
  );
}
