import { summaryMarkdown, summaryRows } from './summary.js';

type Json = Record<string, unknown>;

/** What one figure command printed, as kept in the committed figures file. */
export interface FigureRecord {
  /** The command a reader pastes to get `text` (without `--json`). */
  command: string;
  /** When it ran (ISO 8601). */
  measuredAt: string;
  /** The JSON object it printed as its last line. */
  json: Json;
}

export type FigureStore = Record<string, FigureRecord>;

/**
 * Splits a command's `--json` stdout into the readable part and the JSON object on its last
 * line. Throws when the last line is not a JSON object, naming the command.
 */
export function splitJsonOutput(stdout: string, command: string): { text: string; json: Json } {
  const lines = stdout.trimEnd().split('\n');
  const last = lines.pop() ?? '';
  let json: unknown;
  try {
    json = JSON.parse(last);
  } catch {
    throw new Error(
      `${command} --json: the last line of its output is not JSON (starts "${last.slice(0, 60)}")`,
    );
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new Error(`${command} --json: the last line of its output is not a JSON object`);
  }
  return { text: lines.join('\n').trimEnd(), json: json as Json };
}

/** The README block for one command: the command as typed, then what it printed. */
export function figureBlock(command: string, text: string): string {
  return `\`\`\`text\n$ ${command}\n${text}\n\`\`\``;
}

/** Parses the committed figures file; a missing file is an empty store. */
export function parseFigureStore(source: string | undefined, path: string): FigureStore {
  if (source === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch (error) {
    throw new Error(
      `${path} is not valid JSON (${error instanceof Error ? error.message : String(error)}); restore it from git or delete it and re-run every block`,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${path} must hold one object keyed by block name`);
  }
  for (const [name, record] of Object.entries(parsed as Record<string, unknown>)) {
    const r = record as Partial<FigureRecord> | null;
    if (
      !r ||
      typeof r.command !== 'string' ||
      typeof r.measuredAt !== 'string' ||
      !r.json ||
      typeof r.json !== 'object'
    ) {
      throw new Error(`${path}: block "${name}" needs command, measuredAt and json`);
    }
  }
  return parsed as FigureStore;
}

/** The summary block: the target table from every stored run, and when those runs were made. */
export function summaryBlock(store: FigureStore): string {
  const json = Object.fromEntries(Object.entries(store).map(([name, r]) => [name, r.json]));
  const dates = Object.values(store)
    .map((r) => r.measuredAt.slice(0, 10))
    .sort();
  const when =
    dates.length === 0
      ? 'no runs recorded yet'
      : dates[0] === dates[dates.length - 1]
        ? `runs of ${dates[0]}`
        : `runs of ${dates[0]} to ${dates[dates.length - 1]}`;
  const machines = Object.entries(store).map(
    ([name, r]) => [name, r.json.machine as { loadAverage?: unknown; cores?: unknown }] as const,
  );
  const loads = machines
    .map(([name, machine]) =>
      typeof machine?.loadAverage === 'number' ? `${name} ${machine.loadAverage}` : undefined,
    )
    .filter((entry) => entry !== undefined);
  const cores = machines.find(([, machine]) => typeof machine?.cores === 'number')?.[1]?.cores;
  return [
    summaryMarkdown(summaryRows(json)),
    '',
    ...(loads.length > 0
      ? [
          `Load average (1 min, ${cores} cores) at the start of each run: ${loads.join(', ')}. Timings are wall clock on a shared machine; other work on it slows them, ratios within one run less so.`,
          '',
        ]
      : []),
    `Written by \`npm run figures\` from the JSON of the figure blocks in [docs/benchmarks.md](docs/benchmarks.md), [docs/capacity.md](docs/capacity.md) and [docs/faults.md](docs/faults.md) (${when}, kept in \`docs/figures.json\`).`,
  ].join('\n');
}
