import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../emit/testing/free-port';

/*
 * A PostgreSQL server of the test's own (initdb + pg_ctl in a temp dir, on a free loopback
 * port), so a fault test can stop and start it without touching the machine's shared one.
 * PostgreSQL refuses to run as root: under root the server runs as the `postgres` user.
 */

const BIN = process.env.LOGSIEVE_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const run = promisify(execFile);

export interface PrivatePostgres {
  url: string;
  start(): Promise<void>;
  /** Fast shutdown: open connections are cut, as when the database goes away. */
  stop(): Promise<void>;
  /** Stops it and removes its files. */
  destroy(): Promise<void>;
}

/** Why a private server cannot run here, or null (a missing binary fails under CI=true). */
export function privatePostgresSkipReason(): string | null {
  if (existsSync(path.join(BIN, 'pg_ctl'))) return null;
  const reason = `${BIN}/pg_ctl not found (Debian package postgresql-15)`;
  if (process.env.CI === 'true') throw new Error(`${reason}; required under CI=true`);
  return reason;
}

/** Creates and starts the server. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const owner = userInfo().uid === 0 ? await postgresUser() : undefined;
  const dir = await mkdtemp(path.join(tmpdir(), 'logsieve-pg-'));
  if (owner) await chown(dir, owner.uid, owner.gid);
  const data = path.join(dir, 'data');
  const port = await freePort();
  const pgCmd = (tool: string, args: string[]) =>
    run(path.join(BIN, tool), args, { ...owner, timeout: 60_000 });
  const start = () =>
    pgCmd('pg_ctl', [
      '-D',
      data,
      '-l',
      path.join(dir, 'server.log'),
      '-w',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      'start',
    ]).then(() => {});
  const stop = () => pgCmd('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']).then(() => {});
  try {
    await pgCmd('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    await start();
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    async destroy() {
      await stop().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const id = async (flag: string) => Number((await run('id', [flag, 'postgres'])).stdout.trim());
  return { uid: await id('-u'), gid: await id('-g') };
}
