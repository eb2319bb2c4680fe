/**
 * One sync's transaction in the team warehouse: the account's lock, its
 * cursor, and the rows, all committed together or not at all, so a sync
 * killed at any point leaves PostgreSQL as the last finished sync left it.
 */
import type { ReplicatedTable } from '../replication.js';
import { copyRows, ident } from './copy.js';
import { fromTeam, type TeamConnection } from './db.js';

/** How far PostgreSQL holds one account's warehouse (upw.sync_state). */
export interface SyncState {
  throughRun: number;
  throughRunStartedAt: string | null;
  appended: Record<string, number>;
  source: string;
  syncedAt: string;
}

/**
 * - `copy`: straight into the table by COPY (it holds nothing of the account yet);
 * - `upsert`: COPY into a staging table, then insert what is new and update what differs;
 * - `mirror`: upsert, then delete the account's rows the staged set no longer has.
 */
export type WriteMode = 'copy' | 'upsert' | 'mirror';

export interface Written {
  /** Rows sent. */
  sent: number;
  /** Rows inserted, updated or deleted (a row sent unchanged is not rewritten). */
  changed: number;
  /** Of the time, how long PostgreSQL took to merge the staged rows (0 for a straight COPY). */
  mergeMs: number;
}

const table = (name: string) => `upw.${ident(name)}`;

export class ReplicaTransaction {
  private constructor(
    private readonly conn: TeamConnection,
    readonly account: string,
  ) {}

  /** BEGIN, then wait for the account's lock: one sync per account at a time, any number of accounts at once. */
  static async begin(conn: TeamConnection, account: string): Promise<ReplicaTransaction> {
    const tx = new ReplicaTransaction(conn, account);
    await tx.run('BEGIN');
    await tx.run('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`upw.sync:${account}`]);
    return tx;
  }

  /** The account's cursor, or undefined before its first sync. */
  async state(): Promise<SyncState | undefined> {
    const r = await this.run<{ through_run: string; through_run_started_at: string | null; appended: Record<string, number>; source: string; synced_at: string }>(
      'SELECT through_run, through_run_started_at, appended, source, synced_at::text FROM upw.sync_state WHERE account = $1',
      [this.account],
    );
    const row = r.rows[0];
    if (!row) return undefined;
    return { throughRun: Number(row.through_run), throughRunStartedAt: row.through_run_started_at, appended: row.appended, source: row.source, syncedAt: row.synced_at };
  }

  /** True when the table holds any row of the account (PRIMARY KEY prefix: one probe). */
  async holds(name: string): Promise<boolean> {
    const r = await this.run<{ held: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${table(name)} WHERE account = $1) AS held`, [this.account]);
    return r.rows[0]?.held === true;
  }

  /** Delete every row of the account in these tables (a full resend). */
  async clear(names: readonly string[]): Promise<number> {
    let n = 0;
    for (const name of names) n += (await this.run(`DELETE FROM ${table(name)} WHERE account = $1`, [this.account])).rowCount ?? 0;
    await this.run('DELETE FROM upw.sync_state WHERE account = $1', [this.account]);
    return n;
  }

  /** Send one table's rows (values in the declared column order). */
  async write(t: ReplicatedTable, rows: Iterable<readonly unknown[]>, mode: WriteMode): Promise<Written> {
    const columns = Object.keys(t.columns);
    try {
      if (mode === 'copy') {
        const sent = await copyRows(this.conn.client, table(t.name), columns, this.account, rows);
        return { sent, changed: sent, mergeMs: 0 };
      }
      const stage = ident(`stage_${t.name}`);
      // Temporary: no WAL, no index; gone at COMMIT or ROLLBACK.
      await this.run(`CREATE TEMP TABLE ${stage} (LIKE ${table(t.name)}) ON COMMIT DROP`);
      const sent = await copyRows(this.conn.client, stage, columns, this.account, rows);
      const key = ['account', ...t.key].map(ident);
      const merging = performance.now();
      let changed = 0;
      if (sent > 0) {
        const all = ['account', ...columns].map(ident).join(', ');
        const rest = columns.filter((c) => !t.key.includes(c)).map(ident);
        // IS DISTINCT FROM: a row sent again unchanged is not rewritten, so a rerun changes nothing.
        const onConflict =
          rest.length === 0
            ? 'DO NOTHING'
            : `DO UPDATE SET ${rest.map((c) => `${c} = EXCLUDED.${c}`).join(', ')} WHERE (${rest.map((c) => `t.${c}`).join(', ')}) IS DISTINCT FROM (${rest.map((c) => `EXCLUDED.${c}`).join(', ')})`;
        const r = await this.run(`INSERT INTO ${table(t.name)} AS t (${all}) SELECT ${all} FROM ${stage} ON CONFLICT (${key.join(', ')}) ${onConflict}`);
        changed += r.rowCount ?? 0;
      }
      if (mode === 'mirror') {
        const match = key.map((k) => `s.${k} = t.${k}`).join(' AND ');
        const r = await this.run(`DELETE FROM ${table(t.name)} t WHERE t.account = $1 AND NOT EXISTS (SELECT 1 FROM ${stage} s WHERE ${match})`, [this.account]);
        changed += r.rowCount ?? 0;
      }
      return { sent, changed, mergeMs: performance.now() - merging };
    } catch (error) {
      throw fromTeam(this.conn.url, error, `writing ${t.name}`);
    }
  }

  /** Record how far the account now is, in this transaction. */
  async save(state: Omit<SyncState, 'syncedAt'>): Promise<void> {
    await this.run(
      `INSERT INTO upw.sync_state (account, through_run, through_run_started_at, appended, source, synced_at) VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (account) DO UPDATE SET through_run = EXCLUDED.through_run, through_run_started_at = EXCLUDED.through_run_started_at,
         appended = EXCLUDED.appended, source = EXCLUDED.source, synced_at = EXCLUDED.synced_at`,
      [this.account, state.throughRun, state.throughRunStartedAt, JSON.stringify(state.appended), state.source],
    );
  }

  async commit(): Promise<void> {
    await this.run('COMMIT');
  }

  /** Roll back; a connection already gone has rolled back on the server's side. */
  async rollback(): Promise<void> {
    await this.conn.client.query('ROLLBACK').catch(() => {});
  }

  private async run<R extends Record<string, unknown> = Record<string, unknown>>(sql: string, params: unknown[] = []) {
    try {
      return await this.conn.client.query<R>(sql, params);
    } catch (error) {
      throw fromTeam(this.conn.url, error);
    }
  }
}
