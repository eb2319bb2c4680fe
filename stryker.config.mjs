// StrykerJS: mutation testing of the folders that write and read the warehouse (TESTING.md).
// Run one folder at a time, e.g. `npm run mutation -- --mutate 'src/query/**/*.ts'`.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: ['src/collect/**/*.ts', 'src/store/**/*.ts', 'src/query/**/*.ts', 'src/backfill/**/*.ts', 'src/posts/**/*.ts', 'src/daemon/**/*.ts'],
  // Each mutant runs only the tests that reached its code in the dry run.
  coverageAnalysis: 'perTest',
  // Reruns test only mutants whose code or covering tests changed; the file is committed.
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  // Two cores shared with others: one or two workers (override with --concurrency).
  concurrency: 2,
  // Tests talk to a loopback server and wait for retries: give a slow mutant room before calling it a timeout.
  timeoutMS: 20_000,
  timeoutFactor: 2,
  // The first run of every test, with coverage, takes minutes on a loaded machine.
  dryRunTimeoutMinutes: 30,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
