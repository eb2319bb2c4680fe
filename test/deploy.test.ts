/**
 * deploy/: the systemd units docs/deploy.md installs. systemd's own verifier
 * reads them, and every upw command line in them is one upw accepts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from './helpers.js';

const DEPLOY = join(ROOT, 'deploy');
const UNITS = readdirSync(DEPLOY).filter((f) => /\.(service|timer)$/.test(f));

const hasAnalyze = (() => {
  try {
    execFileSync('systemd-analyze', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    // CI installs systemd (.ci/run): there the check must run, not skip.
    if (process.env.CI === 'true') throw new Error('systemd-analyze is missing: apt-get install systemd');
    return false;
  }
})();

/** `Key=value` lines of a unit file, in order (a key may repeat). */
function settings(unit: string): [string, string][] {
  return readFileSync(join(DEPLOY, unit), 'utf8')
    .split('\n')
    .filter((l) => /^[A-Za-z]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]);
}
const value = (unit: string, key: string) => settings(unit).filter(([k]) => k === key).map(([, v]) => v);

describe.skipIf(!hasAnalyze)(`the systemd units in deploy/${hasAnalyze ? '' : ' (skipped: systemd-analyze is not installed; apt-get install systemd)'}`, () => {
  it('pass systemd-analyze verify with nothing to say', () => {
    const r = spawnSync('systemd-analyze', ['verify', ...UNITS.map((u) => `./${u}`)], { cwd: DEPLOY, encoding: 'utf8' });
    expect(UNITS.sort()).toEqual(['upw-check.service', 'upw-check.timer', 'upw.service']);
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '', '']);
  });
});

describe('deploy/upw.service', () => {
  it('runs as a dedicated user in its state directory, sandboxed, with the key from a file, restarting on failure', () => {
    const want: Record<string, string> = {
      User: 'upw',
      Group: 'upw',
      StateDirectory: 'upw',
      StateDirectoryMode: '0750',
      UMask: '0027',
      EnvironmentFile: '/etc/upw/upw.env',
      Restart: 'on-failure',
      NoNewPrivileges: 'yes',
      ProtectSystem: 'strict',
      ProtectHome: 'yes',
      PrivateTmp: 'yes',
    };
    for (const [key, v] of Object.entries(want)) expect(value('upw.service', key), key).toEqual([v]);
    // A dynamic user's state lives under /var/lib/private (0700), out of the readers' reach; V8 needs W^X off.
    expect(value('upw.service', 'DynamicUser')).toEqual([]);
    expect(value('upw.service', 'MemoryDenyWriteExecute')).toEqual([]);
    // The key never sits in the unit itself.
    expect(readFileSync(join(DEPLOY, 'upw.service'), 'utf8')).not.toMatch(/^Environment=UPLOAD_POST_API_KEY/m);
  });

  it('and the health check start upw with commands and flags upw accepts', async () => {
    for (const unit of ['upw.service', 'upw-check.service']) {
      const [start] = value(unit, 'ExecStart');
      const args = start!.split(' ').slice(2);
      expect(start!.split(' ').slice(0, 2), unit).toEqual(['/usr/bin/node', '/opt/upw/bin/upw.js']);
      // --help after the unit's own flags: parsed exactly as the unit gives them, then nothing runs.
      const r = await runCli([...args, '--help']);
      expect([r.code, r.stderr], `${unit}: ${args.join(' ')}`).toEqual([0, '']);
    }
  });
});

describe('docs/deploy.md', () => {
  it('installs every file in deploy/', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'deploy.md'), 'utf8');
    for (const unit of UNITS) expect(doc, unit).toContain(`deploy/${unit}`);
  });
});
