/**
 * `node --import tsx bench/publish-methods.ts [MB]`: how `upw publish` should
 * copy the live WAL file, measured. A writer process commits every 2 ms while
 * the copy runs; for VACUUM INTO and for the online backup API
 * (better-sqlite3's db.backup()), it prints the copy's time and journal mode
 * and the writer's commit latency during it. src/store/publish.ts cites the
 * numbers. A script, not a test: it fails nothing on a slow machine.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

type Latency = { commits: number; p50: number; p99: number; max: number };

if (process.argv[2] === 'writer') {
  // The child: a collector stand-in, one small transaction every 2 ms, timing each commit.
  const db = new Database(process.argv[3]!);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  const insert = db.prepare('INSERT INTO churn VALUES (?)');
  let lat: number[] = [];
  let n = 0;
  process.send!('ready');
  const timer = setInterval(() => {
    const t = process.hrtime.bigint();
    insert.run(n++);
    lat.push(Number(process.hrtime.bigint() - t) / 1e6);
  }, 2);
  process.on('message', (m) => {
    lat.sort((a, b) => a - b);
    const at = (q: number) => lat[Math.min(lat.length - 1, Math.floor(lat.length * q))] ?? 0;
    process.send!({ commits: lat.length, p50: at(0.5), p99: at(0.99), max: lat.at(-1) ?? 0 } satisfies Latency);
    lat = [];
    if (m === 'stop') {
      clearInterval(timer);
      db.close();
      process.exit(0);
    }
  });
} else {
  const mb = Number(process.argv[2] ?? 100);
  const dir = mkdtempSync(join(tmpdir(), 'upw-publish-bench-'));
  const live = join(dir, 'live.sqlite');
  const setup = new Database(live);
  setup.pragma('journal_mode = WAL');
  setup.exec(`CREATE TABLE churn (x); CREATE TABLE pad (b);
    WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ${Math.round(mb * 256)}) INSERT INTO pad SELECT randomblob(4000) FROM c;`);
  setup.close();
  const writer = fork(new URL(import.meta.url).pathname, ['writer', live], { execArgv: process.execArgv });
  const latency = () => new Promise<Latency>((resolve) => (writer.send('report'), writer.once('message', (m) => resolve(m as Latency))));
  await new Promise((r) => writer.once('message', r));
  await latency();
  await new Promise((r) => setTimeout(r, 1_000));
  const fmt = (l: Latency) => `${l.commits} commits, p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms, max ${l.max.toFixed(2)} ms`;
  console.log(`${mb} MB, writer alone: ${fmt(await latency())}`);
  for (const method of ['VACUUM INTO', 'backup()'] as const) {
    const out = join(dir, `copy-${method === 'backup()' ? 'backup' : 'vacuum'}.sqlite`);
    await latency();
    const reader = new Database(live, { readonly: true });
    const started = Date.now();
    let outcome = 'done';
    if (method === 'VACUUM INTO') reader.prepare('VACUUM INTO ?').run(out);
    else {
      // The backup API restarts whenever another connection writes: give it 20 s.
      let restarts = 0;
      let last = Infinity;
      await reader.backup(out, {
        progress: ({ remainingPages }) => {
          if (remainingPages > last) restarts++;
          last = remainingPages;
          // Throwing is the only way to abort better-sqlite3's backup loop.
          if (Date.now() - started > 20_000) throw new Error(`gave up after 20 s, ${restarts} restarts`);
          return 100;
        },
      }).catch((e: Error) => (outcome = e.message));
    }
    const ms = Date.now() - started;
    reader.close();
    const during = await latency();
    let mode = '-';
    try {
      const copy = new Database(out, { readonly: true });
      mode = String(copy.pragma('journal_mode', { simple: true }));
      copy.close();
    } catch {
      // no usable copy
    }
    console.log(`${method}: ${outcome} in ${ms} ms, copy ${(statSync(out, { throwIfNoEntry: false })?.size ?? 0) >> 20} MB in ${mode} mode; writer meanwhile: ${fmt(during)}`);
  }
  writer.send('stop');
  await new Promise((r) => writer.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}
