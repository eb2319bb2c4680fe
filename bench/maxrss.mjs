// Preloaded (node --import) into the `upw collect` child of the memory figure:
// at exit, write the process's peak resident set (getrusage ru_maxrss, in KiB)
// to the file named by UPW_BENCH_MAXRSS_FILE. bin/upw.js ends with
// process.exit(), which still runs 'exit' listeners.
import { writeFileSync } from 'node:fs';

const out = process.env.UPW_BENCH_MAXRSS_FILE;
if (out) process.on('exit', () => writeFileSync(out, String(process.resourceUsage().maxRSS)));
