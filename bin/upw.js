#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

const code = await main(process.argv.slice(2), { cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr });
// stdout and stderr are synchronous for files and pipes on Linux, so nothing is cut.
process.exit(code);
