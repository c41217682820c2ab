import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { quoteIdent } from '../pg-client';

/*
 * The real PostgreSQL for tests: each run gets its own schema (dropped afterwards) so parallel
 * runs don't clash. Unreachable server: skip with a reason, except under CI=true where it fails.
 */

export const TEST_PG_URL = process.env.LOGSIEVE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestSchema {
  url: string;
  schema: string;
  drop(): Promise<void>;
}

/** Creates a fresh schema, or returns the reason PostgreSQL cannot be used. */
export async function createTestSchema(): Promise<TestSchema | string> {
  const schema = `logsieve_test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
  } catch (err) {
    await client.end().catch(() => {});
    const reason = `PostgreSQL at ${TEST_PG_URL} unreachable (${(err as Error).message})`;
    if (process.env.CI === 'true') throw new Error(`${reason}; required under CI=true`);
    return reason;
  }
  await client.end();
  return {
    url: TEST_PG_URL,
    schema,
    async drop() {
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
      await c.end();
    },
  };
}
