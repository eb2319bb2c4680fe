// Standalone entry: `node dist/simulator/main.js --port 8787`, for pointing
// UPLOAD_POST_BASE_URL at a local simulator by hand.
import { parseArgs } from 'node:util';
import { startSimulator } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8787' },
    seed: { type: 'string', default: '1' },
    latency: { type: 'string', default: '0' },
    'rate-limit': { type: 'string' },
    'api-key': { type: 'string', default: 'demo-key' },
    'profile-count': { type: 'string', default: '0' },
  },
});

const number = (name: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) {
    process.stderr.write(`--${name} must be a non-negative number, got ${text}\n`);
    process.exit(2);
  }
  return n;
};

const sim = await startSimulator({
  port: number('port', values.port),
  seed: number('seed', values.seed),
  latencyMs: number('latency', values.latency),
  rateLimitPerMinute: number('rate-limit', values['rate-limit']),
  apiKey: values['api-key'],
  profileCount: number('profile-count', values['profile-count']),
});
process.stdout.write(`Upload-Post simulator listening on ${sim.url}\n`);
process.stdout.write(`  export UPLOAD_POST_BASE_URL=${sim.url} UPLOAD_POST_API_KEY=${values['api-key']}\n`);

const stop = (): void => {
  sim.close().then(() => process.exit(0), () => process.exit(1));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
