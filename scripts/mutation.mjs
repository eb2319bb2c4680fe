// `npm run mutation [-- <folder>…] [stryker flags]`: StrykerJS on each folder in turn (default:
// the six of TESTING.md), each with its own incremental file and reports in reports/mutation/,
// then the score of every folder run. Stryker flags pass through, e.g. `--concurrency 1`.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const FOLDERS = ['collect', 'store', 'query', 'backfill', 'posts', 'daemon'];
const args = process.argv.slice(2);
const chosen = args.filter((a) => FOLDERS.includes(a));
const flags = args.filter((a) => !FOLDERS.includes(a));
const folders = chosen.length > 0 ? chosen : FOLDERS;

for (const folder of folders) {
  const run = spawnSync('npx', ['stryker', 'run', ...flags], { stdio: 'inherit', env: { ...process.env, MUTATE_FOLDER: folder } });
  if (run.status !== 0) process.exitCode = run.status ?? 1;
}

// Stryker's score: (killed + timed out) / (killed + timed out + survived + no coverage).
const rows = folders.flatMap((folder) => {
  const file = `reports/mutation/${folder}.json`;
  if (!existsSync(file)) return [];
  const count = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0 };
  for (const f of Object.values(JSON.parse(readFileSync(file, 'utf8')).files)) {
    for (const m of f.mutants) if (m.status in count) count[m.status]++;
  }
  const detected = count.Killed + count.Timeout;
  const valid = detected + count.Survived + count.NoCoverage;
  return [{ folder: `src/${folder}`, ...count, score: valid === 0 ? 'n/a' : `${((100 * detected) / valid).toFixed(1)} %` }];
});
console.table(rows);
