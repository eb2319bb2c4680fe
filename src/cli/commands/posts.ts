/** `upw posts <profile>`: the tracked posts of a profile with their latest metrics per platform. */
import { BadInputError, ExitCode, ProfileNotFoundError } from '../../errors.js';
import { postsJson, renderPostsTable } from '../../posts/posts.render.js';
import { listTrackedPosts } from '../../store/posts.repository.js';
import { findProfileId } from '../../store/profiles.repository.js';
import { COMMON_OPTIONS, loadContext, parseFlags, writeJson, type CommandIo } from '../common.js';
import { readWarehouse } from '../read.js';

const HELP = `Usage: upw posts <profile> [--json] [--db FILE] [--config FILE]

The profile's tracked posts (uploads younger than posts.days, read during each
upw collect), newest first, with each platform's metrics of the latest day they
were read and its last error. --json prints an array of posts, each with its
platforms keyed by name: platform_post_id, post_url, day, metrics, error.

  --config FILE      config file (default: collector.config.ts in this directory, if present)
  --db FILE          database file (default: UPW_DB, else the config's database)
  --json             machine output on stdout
  -h, --help         this help`;

const OPTIONS = { config: COMMON_OPTIONS.config, db: COMMON_OPTIONS.db, json: COMMON_OPTIONS.json, help: COMMON_OPTIONS.help };

export async function run(argv: string[], io: CommandIo): Promise<number> {
  const { values: flags, positionals } = parseFlags(argv, OPTIONS, true);
  if (flags.help) {
    io.stdout.write(`${HELP}\n`);
    return ExitCode.ok;
  }
  const [profile, ...extra] = positionals;
  if (!profile) throw new BadInputError('missing <profile>: usage upw posts <profile> [--json]');
  if (extra.length > 0) throw new BadInputError(`one profile at a time: unexpected "${extra.join(' ')}"`);
  const { dbPath } = await loadContext(flags, io);
  // Listing never creates a warehouse.
  const missing = () => new ProfileNotFoundError(profile, `: there is no warehouse at ${dbPath} yet (run upw collect first)`);
  const posts = readWarehouse(
    dbPath,
    (wh) => {
      const profileId = findProfileId(wh, profile);
      if (profileId === undefined) throw new ProfileNotFoundError(profile, `in the warehouse ${dbPath}`);
      return listTrackedPosts(wh, profileId);
    },
    missing,
  );
  if (flags.json) writeJson(io, postsJson(posts));
  else io.stdout.write(renderPostsTable(profile, posts));
  return ExitCode.ok;
}
