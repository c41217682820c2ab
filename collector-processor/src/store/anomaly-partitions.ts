import type { SqlQueryable } from './sql-client';

/*
 * Daily partitions of `anomalies` (native declarative partitioning): created on demand before an
 * insert needs them, dropped whole by retention. Names carry the day: anomalies_p20261124.
 */

const DAY_MS = 86_400_000;
const NAME = /^anomalies_p(\d{4})(\d{2})(\d{2})$/;
/** duplicate_table, unique_violation: another replica created the same partition just now. */
const CREATED_CONCURRENTLY = new Set(['42P07', '23505']);

/** UTC midnight (ms) of the day containing `ms`. */
export function dayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

export function partitionName(dayMs: number): string {
  return `anomalies_p${new Date(dayMs).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

export function partitionDay(name: string): number | null {
  const m = NAME.exec(name);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
}

export class AnomalyPartitions {
  /** Days known to have a partition, so steady-state inserts issue no DDL. */
  private readonly known = new Set<number>();

  async ensure(db: SqlQueryable, startsMs: Iterable<number>): Promise<void> {
    const days = new Set([...startsMs].map(dayStart));
    for (const day of days) {
      if (this.known.has(day)) continue;
      const from = new Date(day).toISOString();
      const to = new Date(day + DAY_MS).toISOString();
      try {
        await db.exec(
          `CREATE TABLE IF NOT EXISTS ${partitionName(day)} PARTITION OF anomalies FOR VALUES FROM ('${from}') TO ('${to}')`,
        );
      } catch (err) {
        if (!CREATED_CONCURRENTLY.has((err as { code?: string }).code ?? '')) throw err;
      }
      this.known.add(day);
    }
  }

  /** Called when a partition this process remembers was dropped elsewhere. */
  forget(): void {
    this.known.clear();
  }

  async list(db: SqlQueryable): Promise<{ name: string; day: number }[]> {
    const { rows } = await db.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'anomalies'::regclass`,
    );
    return rows.flatMap((r) => {
      const day = partitionDay(r.name);
      return day === null ? [] : [{ name: r.name, day }];
    });
  }

  /** Drops partitions whose day ended before `cutoffMs`. */
  async dropBefore(db: SqlQueryable, cutoffMs: number): Promise<string[]> {
    const dropped: string[] = [];
    for (const p of await this.list(db)) {
      if (p.day + DAY_MS > cutoffMs) continue;
      await db.exec(`DROP TABLE IF EXISTS ${p.name}`);
      this.known.delete(p.day);
      dropped.push(p.name);
    }
    return dropped.sort();
  }
}
