/** How another process tells whether the daemon is alive: a fresh heartbeat and a live pid. */

/** The daemon rewrites its heartbeat row this often. */
export const HEARTBEAT_MS = 3_000;
/** A heartbeat older than this means the daemon stopped writing (hung or killed). */
export const HEARTBEAT_STALE_MS = 5 * HEARTBEAT_MS;

/** True when a process with this pid exists (signal 0 checks without sending anything). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the heartbeat was written recently enough. */
export function isFresh(heartbeatAt: string, at: Date = new Date()): boolean {
  const t = Date.parse(heartbeatAt);
  return Number.isFinite(t) && at.getTime() - t < HEARTBEAT_STALE_MS;
}
