/**
 * Where the browser test finds Chromium (Debian's package; never a downloaded browser), and
 * what to do when it is missing: `npm run setup` installs it where it can (root with apt), or
 * names the one command to run; the browser test's setup checks before it starts the stack.
 */
import { accessSync, constants } from 'node:fs';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

export const INSTALL_COMMAND = 'apt-get update && apt-get install -y chromium';

export function chromiumPath(env: NodeJS.ProcessEnv): string {
  return env.CHROME_PATH || DEFAULT_CHROMIUM;
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export type ChromiumAction =
  | { kind: 'present'; path: string }
  | { kind: 'install'; command: string }
  | { kind: 'tell'; message: string };

/**
 * What setup does: nothing when Chromium is there; install it from Debian as root with apt
 * (only for the default path: a CHROME_PATH elsewhere is the user's own browser); else say how.
 */
export function chromiumAction(situation: {
  path: string;
  present: boolean;
  isRoot: boolean;
  hasApt: boolean;
}): ChromiumAction {
  if (situation.present) {
    return { kind: 'present', path: situation.path };
  }
  if (situation.path === DEFAULT_CHROMIUM && situation.isRoot && situation.hasApt) {
    return { kind: 'install', command: INSTALL_COMMAND };
  }
  return { kind: 'tell', message: missingMessage(situation.path) };
}

export function missingMessage(path: string): string {
  return path === DEFAULT_CHROMIUM
    ? `Chromium is not installed at ${path}; the browser test needs it. Install it with: sudo ${INSTALL_COMMAND}`
    : `CHROME_PATH=${path} is not an executable; the browser test needs Chromium there (or unset CHROME_PATH and run: sudo ${INSTALL_COMMAND})`;
}
