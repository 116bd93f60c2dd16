import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chromiumAction, DEFAULT_CHROMIUM, INSTALL_COMMAND } from './chromium.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

describe('chromiumAction (npm run setup)', () => {
  const missing = { path: DEFAULT_CHROMIUM, present: false, isRoot: true, hasApt: true };

  it('does nothing when Chromium is there', () => {
    expect(chromiumAction({ ...missing, present: true }).kind).toBe('present');
  });

  it('installs it from Debian as root with apt', () => {
    expect(chromiumAction(missing)).toEqual({ kind: 'install', command: INSTALL_COMMAND });
  });

  it('names the one command to run otherwise', () => {
    for (const situation of [
      { ...missing, isRoot: false },
      { ...missing, hasApt: false },
    ]) {
      const action = chromiumAction(situation);
      expect(action).toEqual({
        kind: 'tell',
        message: `Chromium is not installed at /usr/bin/chromium; the browser test needs it. Install it with: sudo ${INSTALL_COMMAND}`,
      });
    }
  });

  it('never installs over a CHROME_PATH of the user’s own', () => {
    expect(chromiumAction({ ...missing, path: '/opt/none/chrome' }).kind).toBe('tell');
  });
});

describe('without Chromium', () => {
  it('the browser test fails in its first second, saying what to install', () => {
    const started = Date.now();
    let output = '';
    try {
      execFileSync('npx', ['vitest', 'run', '--project', 'e2e'], {
        cwd: repoRoot,
        env: { ...process.env, CHROME_PATH: '/nonexistent/chromium' },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      const failed = error as { stdout?: string; stderr?: string };
      output = `${failed.stdout ?? ''}${failed.stderr ?? ''}`;
    }
    expect(output).toContain('CHROME_PATH=/nonexistent/chromium is not an executable');
    expect(output).not.toContain('[e2e stack]');
    // Vitest's own start-up included; the check itself runs before anything is started.
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);

  it('npm run setup says what to do instead of failing', () => {
    const output = execFileSync(
      'sh',
      ['-c', 'node --import tsx packages/testing/src/setup-chromium.ts 2>&1'],
      {
        cwd: repoRoot,
        env: { ...process.env, CHROME_PATH: '/nonexistent/chromium' },
        encoding: 'utf8',
      },
    );
    expect(output).toContain('CHROME_PATH=/nonexistent/chromium is not an executable');
  }, 30_000);
});
