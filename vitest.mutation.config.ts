/**
 * The tests StrykerJS runs against each mutant (`npm run mutation`, TESTING.md).
 * Only tests that run the product in this process can kill a mutant: a spawned
 * `bin/upw.js` runs dist/, built from the unmutated source, so the files that
 * only drive the binary are left out (they would cost minutes and kill
 * nothing). No global setup either: nothing here needs dist/.
 *
 * Stryker credits the code a test runs (its beforeEach included) to that test,
 * and code run in beforeAll or at module level to none: such "static" mutants
 * are run against every test with the module cache reloaded, which costs
 * hours. So the tests below do their product work inside the test or its
 * beforeEach. Left out for that reason: impressions-parity.test.ts, which fills
 * 400 days of a world in beforeAll (and is being rewritten on another branch).
 */
import { defineConfig } from 'vitest/config';

// db.ts turns on SQLite's URI filenames (a reader's `immutable=1` fallback) by setting SQLITE_USE_URI in
// process.env, which better-sqlite3 reads with getenv when its addon loads. Stryker runs the tests in
// worker threads, whose process.env is only a copy, so there db.ts's own assignment never reaches
// SQLite. Set here, in the runner's main thread, it is in the real environment before any worker loads
// the addon, as it is for the CLI: the reader's fallback is then tested under Stryker too.
process.env.SQLITE_USE_URI ??= '1';

/** In-process tests of src/collect, src/store, src/query, src/backfill, src/posts and src/daemon. */
export const MUTATION_TESTS = [
  'test/backfill-bad-values.test.ts',
  'test/backfill-errors.test.ts',
  'test/backfill-identify.test.ts',
  'test/backfill-odd-answers.test.ts',
  'test/backfill-split.test.ts',
  'test/backfill-stored.test.ts',
  'test/backfill-summary.test.ts',
  'test/backfill-units.test.ts',
  'test/collect.test.ts',
  'test/collect-counted-field.test.ts',
  'test/collect-odd-answers.test.ts',
  'test/collect-run-books.test.ts',
  'test/collect-run-checks.test.ts',
  'test/collect-targets.test.ts',
  'test/daemon-in-process.test.ts',
  'test/impressions-handworked.test.ts',
  'test/posts.test.ts',
  'test/posts-breakdowns.test.ts',
  'test/posts-budget.test.ts',
  'test/posts-limit.test.ts',
  'test/posts-parse.test.ts',
  'test/posts-render.test.ts',
  'test/posts-track.test.ts',
  'test/query-render.test.ts',
  'test/query-resolve.test.ts',
  'test/raw-store.test.ts',
  'test/reliability-bad-answers.test.ts',
  'test/reliability-faults.test.ts',
  'test/reliability-faults-midrun.test.ts',
  'test/rewrite-unchanged.test.ts',
  'test/rules-learn.test.ts',
  'test/rules-record.test.ts',
  'test/run-level-errors.test.ts',
  'test/store-backfill-progress.test.ts',
  'test/store-changes.test.ts',
  'test/store-changes-reader.test.ts',
  'test/store-files-edges.test.ts',
  'test/store-files.test.ts',
  'test/store-files-unwritable.test.ts',
  'test/store-posts-list.test.ts',
  'test/store-publish.test.ts',
  'test/store-rawposts-codec.test.ts',
  'test/store-rawposts-posts.test.ts',
  'test/store-rawposts-raw.test.ts',
  'test/store-reads.test.ts',
  'test/store-runs.test.ts',
  'test/store-values-rules.test.ts',
  'test/store-values-sums.test.ts',
  'test/store-values-writer.test.ts',
  'test/values-writer.test.ts',
];

/**
 * For src/store only, the five slowest files are left out: they wait on the daemon's timers,
 * post-analytics pacing and retry back-off (62 s of the 92 s a dry run takes) and test
 * src/daemon, src/posts and the client. Every store mutant they reach is reached by a faster
 * test too, except a few of runs.repository.ts that store-runs.test.ts covers (TESTING.md).
 */
const SLOW_FOR_STORE = [
  'test/daemon-in-process.test.ts',
  'test/posts-limit.test.ts',
  'test/posts-track.test.ts',
  'test/reliability-faults.test.ts',
  'test/reliability-faults-midrun.test.ts',
];

/** `UPW_MUTATION_TESTS=a.test.ts,b.test.ts`: only these (for one file's mutants, e.g. the raw codec's own tests). */
const chosen = process.env.UPW_MUTATION_TESTS?.split(',').map((t) => (t.startsWith('test/') ? t : `test/${t}`));

export default defineConfig({
  test: {
    include: chosen ?? (process.env.MUTATE_FOLDER === 'store' ? MUTATION_TESTS.filter((t) => !SLOW_FOR_STORE.includes(t)) : MUTATION_TESTS),
    // Instrumented code on two busy cores runs several times slower than `npm test`.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
