/**
 * The warehouse on disk: its path, its directory, and the `-wal`/`-shm`
 * companions SQLite keeps beside a WAL-mode file. docs/warehouse.md
 * ("Sharing the file with other users") states the rules this implements.
 *
 * Why the companions get special care: a reader with read access alone can
 * only use a WAL-mode file if `-wal` and `-shm` already exist (SQLite ≥ 3.22
 * then reads through a read-only `-shm`, with its usual locks); it cannot
 * create them. SQLite deletes both when the last connection closes, so the
 * writer puts back empty ones after it closes. And a reader that *can* write
 * the directory leaves companions owned by itself, which the writer cannot
 * open: the writer replaces them when nobody has the file open.
 */
import { closeSync, fchownSync, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, readlinkSync, statSync, unlinkSync, accessSync, constants, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { BadInputError } from '../errors.js';

export const COMPANIONS = ['-wal', '-shm'] as const;

const code = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

const WAREHOUSE = "the warehouse (--db, UPW_DB or the config's database)";

function unusable(path: string, why: string, what = WAREHOUSE): BadInputError {
  return new BadInputError(`Cannot use ${path} as ${what}: ${why}`);
}

/** A symbolic link whose target does not exist: named, so nobody hunts for a file that is not there. */
function danglingLink(path: string): string | undefined {
  try {
    if (!lstatSync(path).isSymbolicLink()) return undefined;
  } catch {
    return undefined;
  }
  try {
    statSync(path);
    return undefined;
  } catch {
    return readlinkSync(path);
  }
}

/**
 * Whether a warehouse file is at `path`: true, false (nothing there yet), or
 * bad input for a path that can never hold one (a dangling link, a parent
 * that is a file, a loop, no permission to look).
 */
export function warehouseFileExists(path: string): boolean {
  const target = danglingLink(path);
  if (target !== undefined) throw unusable(path, `it is a symbolic link to ${target}, which does not exist`);
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw unusable(path, 'it is a directory');
    return true;
  } catch (error) {
    if (error instanceof BadInputError) throw error;
    if (code(error) !== 'ENOENT') throw unusable(path, (error as Error).message);
  }
  // Missing: fine, unless a directory above it is a link to nowhere (that is never "not yet").
  for (let dir = dirname(path); dir !== dirname(dir); dir = dirname(dir)) {
    const to = danglingLink(dir);
    if (to !== undefined) throw unusable(path, `${dir} is a symbolic link to ${to}, which does not exist`);
  }
  return false;
}

/**
 * Make the directories above `path`, one level at a time, mode 0750 (a
 * setgid parent passes its group and setgid bit down). Node's recursive
 * mkdirSync spins forever under /proc, and follows nothing it can tell us
 * about, so the chain is walked here: the deepest existing ancestor must be
 * a directory, and every level that fails says why, at once.
 */
export function ensureParentDirectory(path: string, what = WAREHOUSE): void {
  const missing: string[] = [];
  let dir = dirname(path);
  for (;;) {
    let st: Stats;
    try {
      st = statSync(dir);
    } catch (error) {
      if (code(error) !== 'ENOENT') throw unusable(path, `${dir}: ${(error as Error).message}`, what);
      const target = danglingLink(dir);
      if (target !== undefined) throw unusable(path, `${dir} is a symbolic link to ${target}, which does not exist`, what);
      missing.push(dir);
      const up = dirname(dir);
      if (up === dir) throw unusable(path, `${dir} does not exist`, what);
      dir = up;
      continue;
    }
    if (!st.isDirectory()) throw unusable(path, `${dir} is not a directory`, what);
    break;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d, { mode: 0o750 });
    } catch (error) {
      if (code(error) !== 'EEXIST') throw unusable(path, `cannot create the directory ${d}: ${(error as Error).message}`, what);
    }
  }
}

/**
 * Inodes that some process holds a POSIX lock on (Linux's /proc/locks), or
 * undefined where that cannot be known. Every SQLite connection to a
 * WAL-mode file holds a shared lock on the file and on its `-shm` for as
 * long as it is open, so this is SQLite's own "somebody has it open".
 */
function lockedInodes(): Set<number> | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/locks', 'utf8');
  } catch {
    return undefined;
  }
  const inodes = new Set<number>();
  for (const m of text.matchAll(/\s[0-9a-f]+:[0-9a-f]+:(\d+)\s/g)) inodes.add(Number(m[1]));
  return inodes;
}

/** True unless it is certain that no process has the warehouse or its companions open. */
export function mayBeOpen(path: string): boolean {
  const locked = lockedInodes();
  if (!locked) return true;
  for (const file of [path, ...COMPANIONS.map((s) => path + s)]) {
    try {
      if (locked.has(statSync(file).ino)) return true;
    } catch {
      // absent: nobody holds it
    }
  }
  return false;
}

const writable = (file: string): boolean => {
  try {
    accessSync(file, constants.W_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * Before the writer opens the file: companions it cannot write (left by a
 * reader that could write the directory) are replaced when that is safe, or
 * refused with what to do. A `-shm` never holds data (SQLite rebuilds it from
 * the WAL), and a `-wal` some other user created holds none either unless
 * that user wrote; so they go when nobody has the file open.
 */
export function adoptCompanions(path: string): void {
  for (const suffix of COMPANIONS) {
    const file = path + suffix;
    let st: Stats;
    try {
      st = lstatSync(file);
    } catch {
      continue;
    }
    if (st.isFile() && writable(file)) continue;
    const owner = `owned by uid ${st.uid}, mode ${(st.mode & 0o7777).toString(8)}`;
    const fix = 'give readers read access only (docs/deploy.md, "BI readers"), then remove it';
    if (!st.isFile()) throw unusable(path, `${file} is not a regular file`);
    if (suffix === '-wal' && st.size > 0) throw unusable(path, `${file} (${owner}) holds data this user cannot write; another user wrote to the warehouse. ${fix}`);
    if (mayBeOpen(path)) throw unusable(path, `${file} (${owner}) is not writable by this user and another process has the warehouse open; ${fix}`);
    try {
      unlinkSync(file);
    } catch (error) {
      throw unusable(path, `${file} (${owner}) is not writable by this user and cannot be removed (${code(error)}); ${fix}`);
    }
  }
}

/**
 * After the writer closed the file: empty `-wal` and `-shm` with the file's
 * own mode and group (and owner, when root wrote), so that a reader with read
 * access alone can open it while no writer runs. An empty WAL holds nothing,
 * and SQLite resets an `-shm` nobody has open: the next writer starts clean.
 */
export function keepCompanions(path: string): void {
  let db: Stats;
  try {
    db = statSync(path);
  } catch {
    return;
  }
  for (const suffix of COMPANIONS) {
    let fd: number | undefined;
    try {
      // 'a' creates or opens without truncating: a companion that exists keeps what it holds.
      fd = openSync(path + suffix, 'a', db.mode & 0o666);
      const st = fstatSync(fd);
      if (st.size === 0 && (st.uid !== db.uid || st.gid !== db.gid)) {
        try {
          if (process.geteuid?.() === 0) fchownSync(fd, db.uid, db.gid);
          else fchownSync(fd, -1, db.gid);
        } catch {
          // not a member of the file's group: the process's own group stays
        }
      }
    } catch {
      // best effort: a reader then falls back to an immutable open (see db.ts)
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
}

/** What identifies the file's content for an unlocked reader: any write through SQLite changes it. */
export function fileIdentity(path: string): string {
  const walSize = (() => {
    try {
      return statSync(`${path}-wal`).size;
    } catch {
      return 0;
    }
  })();
  const st = statSync(path, { bigint: true });
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}:${walSize}`;
}
