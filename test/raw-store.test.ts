// Raw answers are stored compressed, as deltas against an earlier answer of the same
// endpoint and profile, and every one of them reads back exactly as it was received.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deflate, deflateAgainst, deltaDecodesTo, inflate } from '../src/store/raw.codec.js';
import { pruneRaw, readRaw, recordRaw, type RawRecord } from '../src/store/raw.repository.js';
import { startRun } from '../src/store/runs.repository.js';
import { openWarehouse, openWriter } from '../src/store/warehouse.js';
import { tempDir } from './helpers.js';
import { warehouseAt } from './support/migrations.js';

const DAY_MS = 86_400_000;

/** An answer of `endpoint` about `profile` served (and received) at `at`. */
function answer(body: string, at: Date, over: Partial<RawRecord> = {}): RawRecord {
  return { endpoint: 'analytics', profile: 'acme', params: { platforms: 'x' }, status: 200, receivedAt: at.toISOString(), serverDate: at.toUTCString(), body, ...over };
}

/** A day's analytics-like answer: 30 days of series that move one day on, and a few counters. */
function daily(n: number): string {
  const series = Array.from({ length: 30 }, (_, i) => ({ date: new Date(Date.UTC(2026, 0, 1 + n + i)).toISOString().slice(0, 10), value: ((n + i) * 7919) % 5000 }));
  return JSON.stringify({ x: { followers: 1000 + n * 3, impressions: 400 + ((n * 37) % 90), reach_timeseries: series }, note: 'café ☕ 𝄞' });
}

/** Mutations of a base: replace, insert or delete a stretch somewhere. */
const edits = fc.array(fc.record({ at: fc.nat(), drop: fc.nat({ max: 64 }), insert: fc.uint8Array({ maxLength: 64 }) }), { maxLength: 12 });
function applyEdits(base: Uint8Array, list: Array<{ at: number; drop: number; insert: Uint8Array }>): Buffer {
  let out = Buffer.from(base);
  for (const e of list) {
    const at = out.length === 0 ? 0 : e.at % (out.length + 1);
    out = Buffer.concat([out.subarray(0, at), e.insert, out.subarray(Math.min(out.length, at + e.drop))]);
  }
  return out;
}

describe('the raw codec', () => {
  it('gives back any bytes exactly, alone or against any base', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.uint8Array({ maxLength: 3000 }), (target, base) => {
        const [t, b] = [Buffer.from(target), Buffer.from(base)];
        expect(inflate('deflate', deflate(t))).toEqual(t);
        expect(inflate('delta', deflateAgainst(t, b), b)).toEqual(t);
      }),
      { numRuns: 300 },
    );
  });

  it('tells whether a delta decodes to given bytes, as decoding and comparing does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), edits, edits, (base, toTarget, toOther) => {
        const b = Buffer.from(base);
        const t = applyEdits(b, toTarget);
        const other = applyEdits(t, toOther);
        const delta = deflateAgainst(t, b);
        expect(deltaDecodesTo(delta, b, t)).toBe(true);
        expect(deltaDecodesTo(delta, b, other)).toBe(inflate('delta', delta, b).equals(other));
        expect(deltaDecodesTo(delta, b, t.subarray(0, t.length - 1))).toBe(t.length === 0);
        expect(deltaDecodesTo(delta, b, Buffer.concat([t, Buffer.of(0)]))).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('gives back an edited copy of its base exactly, and stores it in fewer bytes than alone', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 2000, maxLength: 70_000 }), edits, (base, list) => {
        const b = Buffer.from(base);
        const t = applyEdits(b, list);
        const delta = deflateAgainst(t, b);
        expect(inflate('delta', delta, b)).toEqual(t);
        // Random bytes do not compress alone; against the base only the edits cost.
        expect(delta.length).toBeLessThan(deflate(t).length / 2);
      }),
      { numRuns: 60 },
    );
  });

  it('finds the base again where it moved by more than deflate can reach back (a 60 KB page one row down)', () => {
    const rows = Array.from({ length: 120 }, (_, i) => JSON.stringify({ request_id: `req-${i}`, title: `Post number ${i}`, url: `https://example.test/p/${i * 7919}` }));
    const base = Buffer.from(`[${rows.join(',')}]`);
    const moved = Buffer.from(`[${JSON.stringify({ request_id: 'req-new', title: 'A new post', url: 'https://example.test/p/new' })},${rows.slice(0, -1).join(',')}]`);
    expect(base.length).toBeGreaterThan(7_000);
    const delta = deflateAgainst(moved, base);
    expect(inflate('delta', delta, base)).toEqual(moved);
    expect(delta.length).toBeLessThan(150);
  });

  it('refuses a delta without its base, or in a format it does not know', () => {
    const delta = deflateAgainst(Buffer.from('abc'), Buffer.from('abd'));
    expect(() => inflate('delta', delta)).toThrow(/needs its base/);
    expect(() => inflate('delta', Buffer.concat([Buffer.of(9), delta.subarray(1)]), Buffer.from('abd'))).toThrow(/format 9/);
  });
});

describe('the raw store', () => {
  it('reads every answer back byte for byte, in the order received, whether stored alone or as a delta', () => {
    const wh = openWarehouse(':memory:');
    const start = Date.UTC(2026, 2, 1, 6);
    const bodies: string[] = [];
    for (let n = 0; n < 25; n++) {
      bodies.push(daily(n));
      recordRaw(wh, null, answer(daily(n), new Date(start + n * DAY_MS)));
      // Another endpoint of the same profile, and an error body, in between.
      recordRaw(wh, null, answer(`{"history":[],"n":${n}}`, new Date(start + n * DAY_MS), { endpoint: 'history', params: {} }));
    }
    recordRaw(wh, null, answer('', new Date(start), { endpoint: 'users', profile: undefined, status: 503 }));
    const stored = [...readRaw(wh, { profile: 'acme', endpoint: 'analytics' })];
    expect(stored.map((r) => r.body.toString('utf8'))).toEqual(bodies);
    expect(stored.map((r) => r.body)).toEqual(bodies.map((b) => Buffer.from(b, 'utf8')));
    expect([...readRaw(wh, { endpoint: 'users' })].map((r) => [r.profile, r.status, r.body.length])).toEqual([[null, 503, 0]]);
    // A base every ten days of the server's clock, every other answer a delta against it.
    const layout = wh.sqlite.prepare("SELECT codec, base_id AS baseId, served_at AS servedAt FROM raw_responses WHERE endpoint = 'analytics' ORDER BY id").all() as Array<{ codec: string; baseId: number | null; servedAt: number }>;
    expect(layout.map((r) => r.codec).join(' ')).toBe(['deflate', ...Array(9).fill('delta'), 'deflate', ...Array(9).fill('delta'), 'deflate', ...Array(4).fill('delta')].join(' '));
    const stats = wh.sqlite.prepare("SELECT SUM(size) AS received, SUM(length(body)) AS kept FROM raw_responses WHERE endpoint = 'analytics'").get() as { received: number; kept: number };
    expect(stats.kept).toBeLessThan(stats.received * 0.15);
    wh.close();
  });

  it('selects by profile, endpoint, id and the server time of the answer', () => {
    const wh = openWarehouse(':memory:');
    const at = (d: number) => new Date(Date.UTC(2026, 2, d, 23, 30));
    const [first, second] = [startRun(wh, 'collect', '2026-03-01'), startRun(wh, 'collect', '2026-03-02')];
    const a = recordRaw(wh, first, answer('{"a":1}', at(1)));
    recordRaw(wh, first, answer('{"b":1}', at(1), { profile: 'other' }));
    const c = recordRaw(wh, second, answer('{"a":2}', at(2)));
    const from = Date.UTC(2026, 2, 2) / 1000;
    expect([...readRaw(wh, { servedFrom: from, servedTo: from + 86_400 })].map((r) => r.id)).toEqual([c]);
    expect([...readRaw(wh, { profile: 'acme' })].map((r) => r.id)).toEqual([a, c]);
    expect([...readRaw(wh, { id: a })].map((r) => [r.body.toString(), r.params, r.runId])).toEqual([['{"a":1}', '{"platforms":"x"}', first]]);
    expect([...readRaw(wh, { endpoint: 'history' })]).toEqual([]);
    wh.close();
  });

  it('prunes answers received before the retention, but keeps a base that a kept answer is stored against', () => {
    const wh = openWarehouse(':memory:');
    const now = Date.now();
    // Received 405…395 days ago: the base of 405 days ago carries the answers of 403 to 396.
    for (let ago = 405; ago >= 395; ago--) recordRaw(wh, null, answer(daily(405 - ago), new Date(now - ago * DAY_MS + DAY_MS / 2)));
    const before = [...readRaw(wh)];
    expect(pruneRaw(wh, 400)).toBe(4);
    const kept = [...readRaw(wh)];
    expect(kept.map((r) => r.id)).toEqual([before[0]!.id, ...before.slice(5).map((r) => r.id)]);
    expect(kept.map((r) => r.body)).toEqual([before[0]!.body, ...before.slice(5).map((r) => r.body)]);
    // Once its last delta is past the retention too, the base goes.
    expect(pruneRaw(wh, 394)).toBe(7);
    expect([...readRaw(wh)]).toEqual([]);
    expect(pruneRaw(wh, 0)).toBe(0);
    wh.close();
  });
});

describe('a warehouse from before 0006 (raw answers as text)', () => {
  /** A file as 0005 left it, holding four text answers. */
  function oldWarehouse(dir: string): { path: string; bodies: string[] } {
    const { path, sqlite } = warehouseAt(dir, 'old.sqlite', 5);
    const bodies = [daily(0), '', '{"error":"Profile not found ☹"}', daily(1)];
    const insert = sqlite.prepare("INSERT INTO raw_responses (run_id, endpoint, profile, params, status, received_at, body) VALUES (NULL, 'analytics', 'acme', '{}', 200, ?, ?)");
    bodies.forEach((body, i) => insert.run(new Date(Date.UTC(2026, 2, 1 + i, 6)).toISOString(), body));
    sqlite.close();
    return { path, bodies };
  }

  it('is refused by a reader, then migrated and compressed by a writer, keeping every answer\'s id and every byte', () => {
    const { path, bodies } = oldWarehouse(tempDir('upw-raw-old-'));
    const read = (wh: ReturnType<typeof openWarehouse>) => [...readRaw(wh, { profile: 'acme' })].map((r) => [r.id, r.body.toString('utf8')]);
    const expected = bodies.map((b, i) => [i + 1, b]);

    // Read commands never write, so they never migrate: they say which command upgrades it.
    expect(() => openWarehouse(path, { readonly: true })).toThrow(/made by an older upw/);

    // Migrated by a non-writer: the text waits aside, still read, and new answers number after it.
    const migrated = openWarehouse(path);
    const tables = () => migrated.sqlite.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'raw%' ORDER BY name").pluck().all();
    expect(tables()).toEqual(['raw_responses', 'raw_responses_legacy']);
    const newer = recordRaw(migrated, null, answer(daily(2), new Date(Date.UTC(2026, 2, 5, 6))));
    expect(newer).toBe(5);
    expect(read(migrated)).toEqual([...expected, [5, daily(2)]]);
    migrated.close();

    const writer = openWriter(path);
    expect(writer.sqlite.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'raw%'").pluck().all()).toEqual(['raw_responses']);
    expect(read(writer)).toEqual([...expected, [5, daily(2)]]);
    const codecs = writer.sqlite.prepare('SELECT codec FROM raw_responses ORDER BY id').pluck().all();
    // The answer stored while the old ones were still text had no base to be a delta of.
    expect(codecs).toEqual(['deflate', 'delta', 'delta', 'delta', 'deflate']);
    writer.close();
  });
});
