/**
 * `npm run setup`'s Chromium step: installs Debian's chromium where it is missing and this user
 * may (root, apt), or prints the one command to run. Never fails setup: without Chromium only
 * the browser test cannot run, and it says so in its first second.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chromiumAction, chromiumPath, isExecutable, missingMessage } from './chromium.js';

const path = chromiumPath(process.env);
const action = chromiumAction({
  path,
  present: isExecutable(path),
  isRoot: process.getuid?.() === 0,
  hasApt: isExecutable('/usr/bin/apt-get'),
});
if (action.kind === 'install') {
  process.stderr.write(`Chromium (browser test) is missing: ${action.command}\n`);
  const result = spawnSync('sh', ['-c', action.command], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.status !== 0 || !isExecutable(path)) {
    process.stderr.write(`could not install Chromium. ${missingMessage(path)}\n`);
  } else {
    process.stderr.write(`${execFileSync(path, ['--version'], { encoding: 'utf8' }).trim()}\n`);
  }
} else if (action.kind === 'tell') {
  process.stderr.write(`${action.message}\n`);
}
