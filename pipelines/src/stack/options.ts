import { DEFAULT_PORTS, type PortName, type StackPorts } from './emulators.js';

export interface StackCliOptions {
  /** Start from empty emulators instead of the state kept in `stateDir`. */
  fresh: boolean;
  ports: StackPorts;
  /** Relative paths are relative to the repository root. */
  stateDir: string;
  /** Ratings to load on a fresh state; default the bundled ml-latest-small. */
  ratings?: string;
  /** Build (if needed) and serve the site. */
  site: boolean;
  help: boolean;
}

export const DEFAULT_STATE_DIR = '.reel/stack';

const PORT_NAMES = Object.keys(DEFAULT_PORTS) as PortName[];

/** `authHub` → `auth-hub` (flag) and `AUTH_HUB` (variable). */
export const portFlag = (name: PortName) =>
  `--port-${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
export const portVariable = (name: PortName) =>
  `REEL_PORT_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `Usage: npm start -- [--fresh] [--ratings=FILE] [--no-site] [--state-dir=DIR] [--port-NAME=N ...]

Starts Reel on 127.0.0.1: the emulators (Pub/Sub, Firestore, Auth, BigQuery, Cloud Storage)
with the topics, dataset, table, view and bucket; the three functions with the push
subscriptions that feed them; on a fresh state loads the MovieLens sample and trains the first
model; builds (if needed) and serves the site; prints the URLs and runs until Ctrl-C, which
stops everything it started.

  --fresh           start from empty emulators (deletes the kept data in the state dir)
                    default: reuse the data kept from the last run
  --ratings=FILE    MovieLens ratings to load on a fresh state (default the bundled
                    pipelines/data/ml-latest-small/ratings.csv)
  --no-site         do not build or serve the site
  --state-dir=DIR   where data, logs and generated config live (default ${DEFAULT_STATE_DIR},
                    env REEL_STATE_DIR)
${PORT_NAMES.map((name) => `  ${`${portFlag(name)}=N`.padEnd(24)}default ${DEFAULT_PORTS[name]}, env ${portVariable(name)}`).join('\n')}
  --help            this text`;

function parsePort(text: string, source: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new UsageError(`${source} must be a port number from 1 to 65535, got "${text}"`);
  }
  return port;
}

/** Flags win over environment variables, which win over the defaults. */
export function parseStackArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): StackCliOptions {
  const ports = { ...DEFAULT_PORTS };
  for (const name of PORT_NAMES) {
    const value = env[portVariable(name)];
    if (value !== undefined && value !== '') ports[name] = parsePort(value, portVariable(name));
  }
  const options: StackCliOptions = {
    fresh: false,
    ports,
    stateDir: env.REEL_STATE_DIR || DEFAULT_STATE_DIR,
    site: true,
    help: false,
  };
  for (const argument of argv) {
    const [flag, value] = argument.includes('=')
      ? [argument.slice(0, argument.indexOf('=')), argument.slice(argument.indexOf('=') + 1)]
      : [argument, undefined];
    const portName = PORT_NAMES.find((name) => portFlag(name) === flag);
    if (flag === '--fresh' && value === undefined) {
      options.fresh = true;
    } else if ((flag === '--help' || flag === '-h') && value === undefined) {
      options.help = true;
    } else if (flag === '--no-site' && value === undefined) {
      options.site = false;
    } else if (flag === '--ratings' && value) {
      options.ratings = value;
    } else if (flag === '--state-dir' && value) {
      options.stateDir = value;
    } else if (portName && value !== undefined) {
      ports[portName] = parsePort(value, flag);
    } else {
      throw new UsageError(`unknown or incomplete argument "${argument}"\n\n${USAGE}`);
    }
  }
  const byPort = new Map<number, PortName>();
  for (const name of PORT_NAMES) {
    const other = byPort.get(ports[name]);
    if (other) {
      throw new UsageError(
        `${portFlag(other)} and ${portFlag(name)} are both ${ports[name]}; give each its own port`,
      );
    }
    byPort.set(ports[name], name);
  }
  return options;
}
