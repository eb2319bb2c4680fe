// StrykerJS: mutation testing of the folders that write and read the warehouse (TESTING.md).
// `npm run mutation` runs scripts/mutation.mjs, which runs Stryker once per folder with
// MUTATE_FOLDER set; each folder keeps its own incremental file and reports.
const FOLDERS = ['collect', 'store', 'query', 'backfill', 'posts', 'daemon'];
const only = process.env.MUTATE_FOLDER;
const name = only ?? 'all';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: [
    ...(only ? [only] : FOLDERS).map((folder) => `src/${folder}/**/*.ts`),
    // Table declarations for drizzle: every query uses their names, and their enums only type the code (TESTING.md).
    '!src/store/schema.ts',
  ],
  // Each mutant runs only the tests that reached its code in the dry run.
  coverageAnalysis: 'perTest',
  // Reruns test only mutants whose code or covering tests changed; the file is committed.
  incremental: true,
  incrementalFile: `reports/mutation/${name}.incremental.json`,
  // Two cores shared with others: one or two workers (override with --concurrency).
  concurrency: 2,
  // Tests talk to a loopback server and wait for retries: give a slow mutant room before calling it a timeout.
  timeoutMS: 20_000,
  timeoutFactor: 2,
  // The first run of every test, with coverage, takes minutes on a loaded machine.
  dryRunTimeoutMinutes: 30,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
