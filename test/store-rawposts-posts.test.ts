/**
 * The posts repository read and written directly (the posts use case reaches it
 * only through whole runs): which profiles a run already found missing, and
 * what a rewrite of a post, a platform of it or its metrics keeps and replaces.
 */
import { describe, expect, it } from 'vitest';
import { lastCheckedDays, markPostChecked, profilesNotFoundInRun, upsertPost } from '../src/store/posts.repository.js';
import { ensureProfile } from '../src/store/profiles.repository.js';
import { recordRunError, startRun } from '../src/store/runs.repository.js';
import { openWarehouse } from '../src/store/warehouse.js';

describe('the profiles a run found missing', () => {
  it('are the named profiles of its not_found errors only, not another run\'s nor another kind\'s', () => {
    const wh = openWarehouse(':memory:');
    const run = startRun(wh, 'collect', '2026-03-01');
    const other = startRun(wh, 'collect', '2026-03-02');
    recordRunError(wh, run, { profile: 'ghost', kind: 'not_found', status: 404, message: 'Profile "ghost" not found' });
    recordRunError(wh, run, { profile: 'ghost', platform: 'x', kind: 'not_found', status: 404, message: 'again' });
    // A not_found about no profile (an account-level route) names nobody.
    recordRunError(wh, run, { kind: 'not_found', status: 404, message: 'no such route' });
    recordRunError(wh, run, { profile: 'alpha', kind: 'http', status: 500, message: 'server error' });
    recordRunError(wh, other, { profile: 'beta', kind: 'not_found', status: 404, message: 'Profile "beta" not found' });
    expect(profilesNotFoundInRun(wh, run)).toEqual(new Set(['ghost']));
    expect(profilesNotFoundInRun(wh, other)).toEqual(new Set(['beta']));
    wh.close();
  });
});

describe('the days the known posts were last read', () => {
  it('are found among more request ids than SQLite binds in one statement', () => {
    const wh = openWarehouse(':memory:');
    const profileId = ensureProfile(wh, 'acme');
    const post = (requestId: string) => upsertPost(wh, { requestId, runId: null, profileId, title: undefined, caption: undefined, mediaType: undefined, uploadTimestamp: undefined });
    post('req-0');
    post('req-20000');
    post('req-32766');
    markPostChecked(wh, 'req-0', '2026-03-01', null);
    markPostChecked(wh, 'req-32766', '2026-03-02', null);
    // 32,767 ids: one more than SQLite's 32,766 bound variables, so they must be asked in chunks.
    const ids = Array.from({ length: 32_767 }, (_, i) => `req-${i}`);
    const days = lastCheckedDays(wh, ids);
    // Known posts only; null for one known but never read.
    expect(days).toEqual(new Map([['req-0', '2026-03-01'], ['req-20000', null], ['req-32766', '2026-03-02']]));
    expect(lastCheckedDays(wh, [])).toEqual(new Map());
    wh.close();
  });
});
