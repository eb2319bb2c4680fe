/**
 * The raw store's edges that raw-store.test.ts does not reach: a delta whose
 * base row is gone is refused naming both rows, and a warehouse migrated past
 * 0006 whose text answers still wait in `raw_responses_legacy` (opened by a
 * non-writer, so not yet compressed) is pruned and searched in both tables,
 * and compressed on demand. Also which way an answer is stored
 * when the delta against its base is no gain, the answers of one run or of a
 * time range, and a retention of 0 days.
 */
import { describe, expect, it } from 'vitest';
import { deflate, deflateAgainst } from '../src/store/raw.codec.js';
import { compressLegacyRaw, hasRawOf, pruneRaw, readRaw, recordRaw, type RawRecord } from '../src/store/raw.repository.js';
import { startRun } from '../src/store/runs.repository.js';
import { openWarehouse } from '../src/store/warehouse.js';
import { tempDir } from './helpers.js';
import { warehouseAt } from './support/migrations.js';

const DAY_MS = 86_400_000;

function answer(body: string, at: Date, over: Partial<RawRecord> = {}): RawRecord {
  return { endpoint: 'analytics', profile: 'acme', params: {}, status: 200, receivedAt: at.toISOString(), serverDate: at.toUTCString(), body, ...over };
}

/** `n` hex digits of a fixed pseudo-random sequence: text that deflate alone cannot shrink much. */
function hexOf(n: number, seed: number): string {
  let x = seed;
  let s = '';
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
    s += (x >>> 28).toString(16);
  }
  return s;
}

describe('a delta whose base row is gone', () => {
  it('is refused when read, naming the answer and its base', () => {
    const wh = openWarehouse(':memory:');
    const at = Date.UTC(2026, 2, 1, 6);
    const body = (n: number) => JSON.stringify({ series: Array.from({ length: 40 }, (_, i) => ({ day: i, value: i * 31 + n })) });
    const first = recordRaw(wh, null, answer(body(0), new Date(at)));
    const second = recordRaw(wh, null, answer(body(1), new Date(at + DAY_MS)));
    // The second answer is stored against the first (one day apart, nearly the same).
    expect(wh.sqlite.prepare('SELECT codec, base_id AS baseId FROM raw_responses WHERE id = ?').get(second)).toEqual({ codec: 'delta', baseId: first });
    wh.sqlite.prepare('DELETE FROM raw_responses WHERE id = ?').run(first);
    expect(() => [...readRaw(wh)]).toThrow(`raw answer ${second}: its base ${first} is missing`);
    wh.close();
  });
});

describe('the answers of one run', () => {
  it('are read alone, with or without another filter', () => {
    const wh = openWarehouse(':memory:');
    const [first, second] = [startRun(wh, 'collect', '2026-03-01'), startRun(wh, 'collect', '2026-03-02')];
    const at = new Date(Date.UTC(2026, 2, 1, 6));
    const a = recordRaw(wh, first, answer('{"a":1}', at));
    const b = recordRaw(wh, second, answer('{"b":1}', at));
    const c = recordRaw(wh, second, answer('{"c":1}', at, { endpoint: 'history' }));
    recordRaw(wh, null, answer('{"d":1}', at));
    expect([...readRaw(wh, { runId: first })].map((r) => r.id)).toEqual([a]);
    expect([...readRaw(wh, { runId: second })].map((r) => r.id)).toEqual([b, c]);
    expect([...readRaw(wh, { runId: second, endpoint: 'history' })].map((r) => r.id)).toEqual([c]);
    wh.close();
  });
});

describe('the answers served in a time range', () => {
  it('start at its first second and stop before its last, each bound alone or both', () => {
    const wh = openWarehouse(':memory:');
    // Served at 06:00 on 1, 2 and 3 March (the Date header's second).
    const day = (d: number) => Date.UTC(2026, 2, d, 6) / 1000;
    const [one, two, three] = [1, 2, 3].map((d) => recordRaw(wh, null, answer(`{"d":${d}}`, new Date(day(d) * 1000), { profile: `p${d}` })));
    const ids = (filter: Parameters<typeof readRaw>[1]) => [...readRaw(wh, filter)].map((r) => r.id);
    expect(ids({ servedTo: day(2) })).toEqual([one]);
    expect(ids({ servedFrom: day(2) })).toEqual([two, three]);
    expect(ids({ servedFrom: day(2), servedTo: day(3) })).toEqual([two]);
    wh.close();
  });
});

describe('a retention of 0 days', () => {
  it('keeps every answer, however old', () => {
    const wh = openWarehouse(':memory:');
    recordRaw(wh, null, answer('{"a":1}', new Date(Date.now() - 400 * DAY_MS)));
    recordRaw(wh, null, answer('{"a":2}', new Date(Date.now() - DAY_MS)));
    expect(pruneRaw(wh, 0)).toBe(0);
    expect([...readRaw(wh)].map((r) => r.body.toString())).toEqual(['{"a":1}', '{"a":2}']);
    wh.close();
  });
});

describe('a migrated warehouse whose text answers are not compressed yet', () => {
  /** A 0005 file holding text answers received `agos` days before now, opened by a non-writer (0006 moves them aside). */
  function migrated(agos: Array<{ ago: number; profile: string }>) {
    const { path, sqlite } = warehouseAt(tempDir('upw-rawposts-'), 'old.sqlite', 5);
    const insert = sqlite.prepare("INSERT INTO raw_responses (run_id, endpoint, profile, params, status, received_at, body) VALUES (NULL, 'analytics', ?, '{}', 200, ?, ?)");
    for (const { ago, profile } of agos) insert.run(profile, new Date(Date.now() - ago * DAY_MS).toISOString(), `{"ago":${ago}}`);
    sqlite.close();
    return openWarehouse(path);
  }

  it('prunes the old text answers with the compressed ones, and counts both', () => {
    const wh = migrated([
      { ago: 400, profile: 'acme' },
      { ago: 300, profile: 'acme' },
      { ago: 2, profile: 'acme' },
    ]);
    const tables = wh.sqlite.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'raw%' ORDER BY name").pluck().all();
    expect(tables).toEqual(['raw_responses', 'raw_responses_legacy']);
    // One compressed answer past a 30-day retention, one inside it (another profile: no base shared).
    recordRaw(wh, null, answer('{"new":"old"}', new Date(Date.now() - 200 * DAY_MS)));
    recordRaw(wh, null, answer('{"new":"recent"}', new Date(Date.now() - DAY_MS), { profile: 'other' }));
    // Gone: the text answers of 400 and 300 days ago, and the compressed one of 200 days ago.
    expect(pruneRaw(wh, 30)).toBe(3);
    expect([...readRaw(wh)].map((r) => r.body.toString())).toEqual(['{"ago":2}', '{"new":"recent"}']);
    wh.close();
  });

  it('knows a profile whose only answers are still text', () => {
    const wh = migrated([{ ago: 5, profile: 'old-only' }]);
    recordRaw(wh, null, answer('{}', new Date(), { profile: 'acme' }));
    expect(hasRawOf(wh, 'old-only')).toBe(true);
    expect(hasRawOf(wh, 'acme')).toBe(true);
    expect(hasRawOf(wh, 'nobody')).toBe(false);
    wh.close();
  });
});

describe('an answer a day after its base', () => {
  /** How `next`, received a day after `first`, is stored: its codec, and whether its base is `first`; both read back. */
  function stored(first: string, next: string): { codec: string; againstFirst: boolean } {
    const wh = openWarehouse(':memory:');
    const at = Date.UTC(2026, 2, 1, 6);
    const base = recordRaw(wh, null, answer(first, new Date(at)));
    const id = recordRaw(wh, null, answer(next, new Date(at + DAY_MS)));
    expect([...readRaw(wh)].map((r) => r.body.toString())).toEqual([first, next]);
    const row = wh.sqlite.prepare('SELECT codec, base_id AS baseId FROM raw_responses WHERE id = ?').get(id) as { codec: string; baseId: number | null };
    wh.close();
    return { codec: row.codec, againstFirst: row.baseId === base };
  }

  it('is a delta when the delta is well below its base\'s size, even if the answer alone would be a few bytes smaller', () => {
    // A 3,000-digit base (about 1.5 KB deflated), then "{}": the delta (format byte, a two-byte
    // literal, the end mark, about 7 bytes) is far below 80 % of the base, so the answer alone
    // (about 4 bytes) is not even tried.
    expect(stored(hexOf(3000, 1), '{}')).toEqual({ codec: 'delta', againstFirst: true });
  });

  it('is stored alone when the delta is about its base\'s size and the answer alone is smaller', () => {
    // Two unrelated 100-digit texts: the delta is the whole answer as a literal plus the format
    // byte and its lengths, so about the base's own size (over 80 % of it), and a few bytes
    // more than the answer deflated alone.
    expect(stored(hexOf(100, 6), hexOf(100, 5))).toEqual({ codec: 'deflate', againstFirst: false });
  });

  it('stays a delta when the delta is about its base\'s size but the answer alone is bigger', () => {
    // The base's 200 digits, then 200 new ones: the delta holds only the new ones (about the
    // base's size), the answer alone all 400 (about twice that).
    const first = hexOf(200, 3);
    expect(stored(first, first + hexOf(200, 4))).toEqual({ codec: 'delta', againstFirst: true });
  });
});

describe('an answer as big alone as as a delta', () => {
  /**
   * The first (base, answer) pair among short hex texts (an answer of `nt` new digits, then the
   * base's first `k`) whose sizes meet `fits`: delta and alone sizes depend on zlib's output byte
   * for byte, so a tie is looked for rather than written down (the first is some forty pairs in).
   */
  function pairWhere(fits: (sizes: { base: number; delta: number; alone: number }) => boolean): [string, string] {
    for (let nb = 20; nb <= 120; nb += 5)
      for (let nt = 5; nt <= 120; nt += 5)
        for (let k = 0; k <= nb; k += 4) {
          const first = hexOf(nb, 1);
          const next = hexOf(nt, 2) + first.slice(0, k);
          const [b, t] = [Buffer.from(first), Buffer.from(next)];
          if (fits({ base: deflate(b).length, delta: deflateAgainst(t, b).length, alone: deflate(t).length })) return [first, next];
        }
    throw new Error('no pair of that shape among the texts tried');
  }

  /** The codec `next` is stored with, received a day after `first`. */
  function codecOf([first, next]: [string, string]): string {
    const wh = openWarehouse(':memory:');
    const at = Date.UTC(2026, 2, 1, 6);
    recordRaw(wh, null, answer(first, new Date(at)));
    const id = recordRaw(wh, null, answer(next, new Date(at + DAY_MS)));
    expect([...readRaw(wh, { id })].map((r) => r.body.toString())).toEqual([next]);
    const codec = wh.sqlite.prepare('SELECT codec FROM raw_responses WHERE id = ?').pluck().get(id) as string;
    wh.close();
    return codec;
  }

  it('is stored alone when alone and as a delta it takes the same bytes (it then needs no base)', () => {
    expect(codecOf(pairWhere((s) => s.delta * 5 >= s.base * 4 && s.alone === s.delta))).toBe('deflate');
  });
});

describe('compressing the text answers on demand', () => {
  it('reads a warehouse stopped after its first batch in id order, the moved answers and the text ones merged', () => {
    const { path, sqlite } = warehouseAt(tempDir('upw-rawposts-'), 'old.sqlite', 5);
    const insert = sqlite.prepare("INSERT INTO raw_responses (run_id, endpoint, profile, params, status, received_at, body) VALUES (NULL, 'analytics', 'acme', '{}', 200, ?, ?)");
    const at = Date.UTC(2026, 2, 1, 6);
    for (let i = 1; i <= 503; i++) insert.run(new Date(at + i * 60_000).toISOString(), `{"n":${i}}`);
    sqlite.close();
    const wh = openWarehouse(path);
    // The second batch (answers 501 to 503) fails, as a crash would stop it; the first (1 to 500) is committed.
    wh.sqlite.exec("CREATE TEMP TRIGGER stop_second_batch BEFORE INSERT ON raw_responses WHEN NEW.id > 500 BEGIN SELECT RAISE(ABORT, 'stopped'); END");
    expect(() => compressLegacyRaw(wh)).toThrow('stopped');
    wh.sqlite.exec('DROP TRIGGER stop_second_batch');
    const count = (table: string) => wh.sqlite.prepare(`SELECT count(*) FROM ${table}`).pluck().get();
    expect([count('raw_responses'), count('raw_responses_legacy')]).toEqual([500, 3]);
    const later = recordRaw(wh, null, answer('{"n":504}', new Date(at + 504 * 60_000)));
    expect(later).toBe(504);
    const read = [...readRaw(wh)];
    expect(read.map((r) => r.id)).toEqual(Array.from({ length: 504 }, (_, i) => i + 1));
    expect(read.map((r) => r.body.toString())).toEqual(Array.from({ length: 504 }, (_, i) => `{"n":${i + 1}}`));
    wh.close();
  });

  it('moves every text answer and says how many, then finds none left', () => {
    const { path, sqlite } = warehouseAt(tempDir('upw-rawposts-'), 'old.sqlite', 5);
    const insert = sqlite.prepare("INSERT INTO raw_responses (run_id, endpoint, profile, params, status, received_at, body) VALUES (NULL, 'analytics', 'acme', '{}', 200, ?, ?)");
    for (let i = 0; i < 3; i++) insert.run(new Date(Date.UTC(2026, 2, 1 + i, 6)).toISOString(), `{"n":${i}}`);
    sqlite.close();
    const wh = openWarehouse(path);
    expect(compressLegacyRaw(wh)).toBe(3);
    expect(compressLegacyRaw(wh)).toBe(0);
    expect([...readRaw(wh)].map((r) => [r.id, r.body.toString()])).toEqual([[1, '{"n":0}'], [2, '{"n":1}'], [3, '{"n":2}']]);
    wh.close();
  });
});
