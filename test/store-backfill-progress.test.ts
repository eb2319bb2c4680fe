// Backfill progress (src/store/backfill.repository.ts): when a finished import still answers
// for a range. An import that ran on day T trusts every day before T for good; a range that
// reaches T or later is trusted again only on T itself, because the server's figures for
// those days could still grow. The days are worked out here, not read from the code.
import { describe, expect, it } from 'vitest';
import { isCovered, markCovered, type ProgressKey } from '../src/store/backfill.repository.js';
import { ensureProfile } from '../src/store/profiles.repository.js';
import { startRun } from '../src/store/runs.repository.js';
import { openWarehouse } from '../src/store/warehouse.js';

function withImport(range: { since: string; until: string }, takenOn: string) {
  const wh = openWarehouse(':memory:');
  const profileId = ensureProfile(wh, 'alice');
  const runId = startRun(wh, 'backfill', null, range);
  const key: ProgressKey = { profileId, step: 'snapshots', platform: 'x', ...range };
  markCovered(wh, key, { takenOn, runId, valuesWritten: 3 });
  return { wh, key };
}

describe('isCovered', () => {
  it('trusts, on any later day, an import whose range ended before the day it ran', () => {
    const { wh, key } = withImport({ since: '2026-03-01', until: '2026-03-09' }, '2026-03-10');
    expect(isCovered(wh, key, '2026-03-10')).toBe(true);
    expect(isCovered(wh, key, '2026-04-20')).toBe(true);
  });

  it('trusts an import that reached the day it ran only on that same day', () => {
    // until = takenOn: the last day was still growing when it was read.
    const { wh, key } = withImport({ since: '2026-03-01', until: '2026-03-10' }, '2026-03-10');
    expect(isCovered(wh, key, '2026-03-10')).toBe(true);
    expect(isCovered(wh, key, '2026-03-11')).toBe(false);
    // A range past the day it ran (a server ahead of the client) is no better.
    const ahead = withImport({ since: '2026-03-01', until: '2026-03-12' }, '2026-03-10');
    expect(isCovered(ahead.wh, ahead.key, '2026-03-10')).toBe(true);
    expect(isCovered(ahead.wh, ahead.key, '2026-03-13')).toBe(false);
  });

  it('answers for a range inside the imported one, and not for one that reaches past it', () => {
    const { wh, key } = withImport({ since: '2026-03-01', until: '2026-03-09' }, '2026-03-10');
    expect(isCovered(wh, { ...key, since: '2026-03-03', until: '2026-03-05' }, '2026-03-20')).toBe(true);
    expect(isCovered(wh, { ...key, since: '2026-02-28' }, '2026-03-20')).toBe(false);
    expect(isCovered(wh, { ...key, until: '2026-03-10' }, '2026-03-20')).toBe(false);
  });

  it('keeps profiles, steps and platforms apart', () => {
    const { wh, key } = withImport({ since: '2026-03-01', until: '2026-03-09' }, '2026-03-10');
    const other = ensureProfile(wh, 'bob');
    expect(isCovered(wh, { ...key, profileId: other }, '2026-03-10')).toBe(false);
    expect(isCovered(wh, { ...key, step: 'analytics', platform: '' }, '2026-03-10')).toBe(false);
    expect(isCovered(wh, { ...key, platform: 'tiktok' }, '2026-03-10')).toBe(false);
  });
});
