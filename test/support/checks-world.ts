/**
 * The simulator world of the collect checks, shared by the binary's tests
 * (collect-checks) and the in-process ones (collect-run-checks): three profiles
 * whose platforms overlap, one with Facebook (which needs a page id), seen on one day.
 */
import type { SimulatorOptions } from '../../src/simulator/index.js';

export const CHECKS_NOW = new Date('2026-02-20T12:00:00Z');

export const CHECKS_WORLD = {
  seed: 3,
  now: () => CHECKS_NOW,
  profiles: [
    { username: 'myprofile', platforms: ['youtube', 'tiktok'] },
    { username: 'other', platforms: ['tiktok', 'x'] },
    { username: 'pages', platforms: ['facebook', 'x'] },
  ],
} satisfies Partial<SimulatorOptions>;
