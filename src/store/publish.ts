/**
 * The published copy: a consistent snapshot of the warehouse in
 * rollback-journal mode, for readers that cannot use the live WAL file (other
 * Unix users, BI servers, network shares). A rollback-journal file needs no
 * `-wal`/`-shm`, so any user who can read it can open it with any SQLite.
 *
 * Made with VACUUM INTO, not the online backup API (better-sqlite3's
 * `db.backup()`), measured by bench/publish-methods.ts with a writer
 * committing every 2 ms beside it. VACUUM INTO reads in ONE read transaction,
 * so under WAL it never blocks the writer: 100 MB in 0.36 s, 50 MB in 0.6–0.9 s
 * on a loaded 2-core machine, the writer's p99 commit 0.2–0.3 ms (0.1–0.2 ms
 * alone); and it writes a compact file already in rollback mode. The backup
 * API copies in steps and starts over whenever another connection writes: on
 * 50 MB it restarted 2,762 times and had not finished after 20 s, the writer's
 * p99 rose to 8 ms (max 56 ms) meanwhile, and its copy would be in WAL mode,
 * with the very problem the copy exists to avoid.
 * The price of one read transaction: the writer cannot checkpoint past it,
 * so the WAL grows until the copy ends.
 */
import { closeSync, fchmodSync, fchownSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { BadInputError } from '../errors.js';
import { COMPANIONS, ensureParentDirectory } from './files.js';
import type { Warehouse } from './warehouse.js';

export interface Published {
  out: string;
  bytes: number;
}

const TARGET = 'the published copy (upw publish --out, or the config\'s publish)';

/** Copy `wh` to `out`: whole or not at all, readable by whoever can read the warehouse. */
export function publishCopy(wh: Warehouse, outPath: string): Published {
  const out = resolve(outPath);
  const live = resolve(wh.path);
  if ([live, ...COMPANIONS.map((s) => live + s)].includes(out)) throw new BadInputError(`Cannot use ${out} as ${TARGET}: it is the warehouse itself`);
  try {
    if (statSync(out).isDirectory()) throw new BadInputError(`Cannot use ${out} as ${TARGET}: it is a directory`);
  } catch (error) {
    if (error instanceof BadInputError) throw error;
  }
  ensureParentDirectory(out, TARGET);
  // Beside the target, so the rename that publishes it stays on one file system and is atomic.
  const temp = join(dirname(out), `.${basename(out)}.tmp-${process.pid}`);
  rmSync(temp, { force: true });
  try {
    wh.sqlite.prepare('VACUUM INTO ?').run(temp);
    const copy = new Database(temp);
    try {
      // VACUUM INTO writes rollback mode already; said here so the copy never depends on it.
      if (copy.pragma('journal_mode = DELETE', { simple: true }) !== 'delete') throw new Error(`${temp}: could not leave WAL mode`);
    } finally {
      copy.close();
    }
    const fd = openSync(temp, 'r+');
    try {
      shareLike(fd, live);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, out);
    syncDirectory(dirname(out));
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  return { out, bytes: statSync(out).size };
}

/** The copy gets the live file's mode and group: whoever may read the warehouse may read its copy. */
function shareLike(fd: number, live: string): void {
  if (live === resolve(':memory:')) return;
  let st;
  try {
    st = statSync(live);
  } catch {
    return;
  }
  fchmodSync(fd, st.mode & 0o666);
  try {
    fchownSync(fd, -1, st.gid);
  } catch {
    // not a member of that group: the process's own group stays
  }
}

/** The rename is durable only once the directory entry is. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // some file systems refuse fsync on a directory; the rename itself was atomic
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
