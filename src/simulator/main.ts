// Standalone entry: `node dist/simulator/main.js --port 8787`, for pointing
// UPLOAD_POST_BASE_URL at a local simulator by hand.
import { parseArgs } from 'node:util';
import { isPlatform } from './catalog.js';
import { parseDay } from './dates.js';
import { PLAN_PER_MINUTE } from './limits.js';
import { startSimulator } from './index.js';
import type { SimPlan, SimRuleChange } from './types.js';

const HELP = `Usage: node dist/simulator/main.js [options]

  --port N                 port on 127.0.0.1 (default 8787)
  --seed N                 seed of every generated value (default 1)
  --api-key KEY            the one valid key (default demo-key)
  --profile-count N        also generate profile-00001 … profile-N
  --google-business        also add the profile corner-bakery-google-business
  --latency MS             time from a request's arrival to its answer (default 0)
  --plan P                 free | professional | advanced | business (default business)
  --rate-limit N           requests per minute (default: the plan's figure)
  --server-timezone ZONE   IANA zone of the server's day (default UTC)
  --now ISO                the clock starts at this instant, then runs
  --max-range-days N       longest total-impressions range (default 366)
  --rule-change P:FIELD[:TYPE]@DAY
                           from DAY on, platform P counts FIELD (repeatable),
                           e.g. youtube:views@2026-03-01`;

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8787' },
    seed: { type: 'string', default: '1' },
    latency: { type: 'string', default: '0' },
    'rate-limit': { type: 'string' },
    plan: { type: 'string' },
    'api-key': { type: 'string', default: 'demo-key' },
    'profile-count': { type: 'string', default: '0' },
    'google-business': { type: 'boolean', default: false },
    'server-timezone': { type: 'string' },
    now: { type: 'string' },
    'max-range-days': { type: 'string' },
    'rule-change': { type: 'string', multiple: true },
    help: { type: 'boolean', default: false },
  },
});

const fail = (message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(2);
};
if (values.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}

const number = (name: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) fail(`--${name} must be a non-negative number, got ${text}`);
  return n;
};

/** 'youtube:views@2026-03-01' or 'reddit:impressions:score@2026-03-01'. */
function ruleChange(text: string): SimRuleChange {
  const m = /^([a-z_]+):([A-Za-z_]+)(?::([A-Za-z_]+))?@(\d{4}-\d{2}-\d{2})$/.exec(text);
  const [, platform = '', field = '', metricType, fromDay = ''] = m ?? [];
  if (!m || !isPlatform(platform) || parseDay(fromDay) === undefined) {
    return fail(`--rule-change must be PLATFORM:FIELD[:METRIC_TYPE]@YYYY-MM-DD with a known platform, got ${text}`);
  }
  return { platform, primary_impressions_field: field, metric_type: metricType, fromDay };
}

const plan = values.plan;
if (plan !== undefined && !(plan in PLAN_PER_MINUTE)) fail(`--plan must be one of ${Object.keys(PLAN_PER_MINUTE).join(', ')}, got ${plan}`);
let now: (() => Date) | undefined;
if (values.now !== undefined) {
  const start = Date.parse(values.now);
  if (Number.isNaN(start)) fail(`--now must be an ISO instant, got ${values.now}`);
  const t0 = Date.now();
  now = () => new Date(start + (Date.now() - t0));
}
const zone = values['server-timezone'];
if (zone !== undefined) {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    fail(`--server-timezone must be an IANA zone such as Europe/Madrid, got ${zone}`);
  }
}

const sim = await startSimulator({
  port: number('port', values.port),
  seed: number('seed', values.seed),
  latencyMs: number('latency', values.latency),
  rateLimitPerMinute: number('rate-limit', values['rate-limit']),
  plan: plan as SimPlan | undefined,
  apiKey: values['api-key'],
  profileCount: number('profile-count', values['profile-count']),
  googleBusiness: values['google-business'],
  serverTimezone: zone,
  now,
  maxRangeDays: number('max-range-days', values['max-range-days']),
  ruleChanges: (values['rule-change'] ?? []).map(ruleChange),
});
process.stdout.write(`Upload-Post simulator listening on ${sim.url} (server day ${sim.world.today()} in ${sim.world.serverTimezone()})\n`);
process.stdout.write(`  export UPLOAD_POST_BASE_URL=${sim.url} UPLOAD_POST_API_KEY=${values['api-key']}\n`);

const stop = (): void => {
  sim.close().then(() => process.exit(0), () => process.exit(1));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
