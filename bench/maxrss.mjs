// Preloaded (node --import) into the `upw collect` child of the memory figure: at exit,
// write the process's peak resident set, in KiB, to the file named by UPW_BENCH_MAXRSS_FILE.
// VmHWM, not getrusage's ru_maxrss: on Linux ru_maxrss survives exec, so a child forked
// from a large parent (the bench, after generating its warehouse) reports the parent's peak.
// bin/upw.js ends with process.exit(), which still runs 'exit' listeners.
import { readFileSync, writeFileSync } from 'node:fs';

function peakKiB() {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]);
  } catch {
    // Not Linux: getrusage is the best there is.
  }
  return process.resourceUsage().maxRSS;
}

const out = process.env.UPW_BENCH_MAXRSS_FILE;
if (out) process.on('exit', () => writeFileSync(out, String(peakKiB())));
