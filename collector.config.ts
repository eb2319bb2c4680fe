/**
 * The collector's config: `upw` reads this file from the directory it runs in
 * (or the one named by --config). Copy it next to your warehouse and edit it;
 * every key is shown with its default and what it does.
 *
 * As it stands it works in this checkout against the built-in simulator, with
 * no API key and no network beyond loopback:
 *
 *   node dist/simulator/main.js &             # the Upload-Post simulator on 127.0.0.1:8787
 *   export UPLOAD_POST_BASE_URL=http://127.0.0.1:8787/api UPLOAD_POST_API_KEY=demo-key
 *   npx upw collect && npx upw status         # the demo's profiles, into data/warehouse.sqlite
 *
 * With your own key (and no UPLOAD_POST_BASE_URL) the same file collects
 * every profile of your Upload-Post account. Keys are checked when the file
 * loads: every problem is listed with its key, then the command exits 2.
 */
import { defineConfig } from 'upload-post-warehouse';

export default defineConfig({
  // Required. "all": every profile of the account (GET /uploadposts/users), each with its connected
  // platforms. Or a list: { username, platforms?, facebookPageId?, linkedinPageUrn? }, e.g.
  //   [{ username: 'myprofile', platforms: ['instagram', 'facebook'], facebookPageId: '1234567890' }]
  // platforms defaults to the profile's connected ones; Facebook analytics need facebookPageId,
  // LinkedIn page analytics linkedinPageUrn.
  profiles: 'all',

  // Default 'data/warehouse.sqlite'. The SQLite file, relative to this file. --db and UPW_DB win over it.
  database: 'data/warehouse.sqlite',

  // Default '0 3 * * *' (03:00 every day). When `upw daemon` collects: cron, 5 fields or 6 with seconds.
  schedule: '0 3 * * *',

  // Default 'UTC'. The IANA zone the schedule runs in (and nothing else).
  timezone: 'UTC',

  // Default 'UTC'. The IANA zone of the server's day: a snapshot is filed under the calendar day, in this
  // zone, of the moment the server answered (its Date header), and "today" for queries is that day, as
  // for the live endpoint. Change it only if the API's days are known to run in another zone.
  serverTimezone: 'UTC',

  // Default: not set, no copy. A path (relative to this file) for the rollback-journal copy BI tools and
  // other users open (`upw publish`), refreshed after every collect, backfill and daemon tick, e.g.
  //   publish: 'data/warehouse.published.sqlite',

  // Default 4. How many profiles are polled at once (1 to 64).
  concurrency: 4,

  // Default 30000. Per-request timeout in milliseconds (100 to 600000).
  requestTimeoutMs: 30_000,

  // Default 4. Retries of a request on 429, 5xx, timeouts and resets, with backoff (0 to 20).
  retries: 4,

  // Default 400 (about the server's own history). Raw API answers (kept compressed; `upw raw` prints
  // them back byte for byte) older than this many days are pruned; 0 keeps them forever (0 to 36500).
  rawRetentionDays: 400,

  // Default { track: true, days: 30 }. Each collect also reads the post analytics of every upload
  // younger than `days` (1 to 365): one history call, then one call per post and day.
  posts: { track: true, days: 30 },

  // Default 'default'. This collector's label in a team warehouse several collectors share (one per API
  // key or machine): every row `upw sync` sends carries it, in the column `account` (letters, digits, . _ @ -).
  account: 'default',

  // Default: not set, no team warehouse. A PostgreSQL URL `upw sync` replicates into, and the daemon syncs
  // to after each tick (UPW_POSTGRES_URL and --to win over it); its password is never logged or stored, e.g.
  //   postgres: 'postgres://upw:secret@db.internal:5432/analytics',
});
