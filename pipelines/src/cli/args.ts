import { parseArgs } from 'node:util';

/** A command-line mistake: the message names the flag and what it accepts. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  /** For string flags: the values accepted (the error lists them). */
  readonly choices?: readonly string[];
  readonly description: string;
}

export type FlagValues = Record<string, string | boolean | undefined>;

/** Parses `argv` strictly; unknown flags, missing values and bad choices are UsageErrors. */
export function parseFlags(
  argv: string[],
  specs: Record<string, FlagSpec>,
  usage: string,
): FlagValues {
  let values: FlagValues;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: Object.fromEntries(
        Object.entries(specs).map(([name, spec]) => [name, { type: spec.type }]),
      ),
      strict: true,
      allowPositionals: false,
    }) as { values: FlagValues });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const unknown = /Unknown option '([^']+)'/.exec(message);
    if (unknown) {
      throw new UsageError(`unknown flag ${unknown[1]}\n${usage}`);
    }
    const positional = /Unexpected argument '([^']+)'/.exec(message);
    if (positional) {
      throw new UsageError(
        `unexpected argument "${positional[1]}" (flags start with --)\n${usage}`,
      );
    }
    throw new UsageError(`${message.split('\n')[0]}\n${usage}`);
  }
  for (const [name, spec] of Object.entries(specs)) {
    const value = values[name];
    if (spec.choices && typeof value === 'string' && !spec.choices.includes(value)) {
      throw new UsageError(
        `--${name} must be one of ${spec.choices.join(', ')} (got "${value}")\n${usage}`,
      );
    }
  }
  return values;
}

/** An integer flag in [min, max], or its default. */
export function integerFlag(
  values: FlagValues,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !/^-?\d+$/.test(raw) || value < min || value > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

/** The usage text: the command line, then one line per flag. */
export function usageText(command: string, specs: Record<string, FlagSpec>): string {
  const width = Math.max(...Object.keys(specs).map((name) => name.length)) + 10;
  const lines = Object.entries(specs).map(([name, spec]) => {
    const flag =
      spec.type === 'string'
        ? `--${name} <${spec.choices ? spec.choices.join('|') : 'value'}>`
        : `--${name}`;
    return `  ${flag.padEnd(width)}  ${spec.description}`;
  });
  return `usage: ${command}\n${lines.join('\n')}`;
}

/**
 * Runs a CLI's main: a UsageError prints its message and exits 2; any other error prints its
 * message (the loaders' say what line is wrong) and exits 1.
 */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: ${message}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  });
}
