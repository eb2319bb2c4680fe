// A BI reader in its own process that needs no sqlite3 shell: better-sqlite3, read-only, with
// the busy timeout docs/warehouse.md tells readers to set. It reads one request per stdin line
// (a JSON array of SQL statements), opens the file afresh for each as a BI tool reconnecting
// would, runs them in one read transaction, and answers one JSON line:
// {"rows": [[{column: value, …}, …] per statement]} or {"error": "message"}.
// Plain JavaScript so that `node` runs it as is: usage `node view-reader.mjs <warehouse file>`.
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';

const file = process.argv[2];
for await (const line of createInterface({ input: process.stdin })) {
  let answer;
  let db;
  try {
    const statements = JSON.parse(line);
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    answer = { rows: db.transaction(() => statements.map((sql) => db.prepare(sql).all()))() };
  } catch (error) {
    answer = { error: `${error.code ?? 'error'}: ${error.message}` };
  } finally {
    db?.close();
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
