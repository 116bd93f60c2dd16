/**
 * `npm run profile:summary -- FILE.cpuprofile [--from=S] [--to=S] [--top=N]`: where a V8 CPU
 * profile (`node --cpu-prof`, or a function process under REEL_CPU_PROF_DIR) spent its busy
 * time, by code owner. Each sample's time goes to the innermost frame of its stack that is
 * not Node's own code (so the HTTP parser a client drives counts for that client), grouped by
 * npm package, or by source directory for the project's files; and, separately, to the
 * outermost library on the stack below the project's own code, which says which client a
 * request spends its time in. `--from`/`--to` keep the samples between those seconds after
 * the profile started (the bench's measured phases, not the start-up).
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../cli/args.js';

const USAGE =
  'usage: npm run profile:summary -- FILE.cpuprofile [--from=SECONDS] [--to=SECONDS] [--top=N]';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** V8's pseudo-frames: not code of anyone's. */
const PSEUDO = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);

/** Who a frame's code belongs to: an npm package, Node itself, or a project directory. */
export function ownerOf(frame: CallFrame): string {
  if (PSEUDO.has(frame.functionName) && frame.url === '') return frame.functionName;
  const url = frame.url;
  if (url === '' || url.startsWith('node:')) return 'node';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + '/node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  // The compiled functions (functions/dist, as the benchmarks serve them) under their sources'
  // names, and the local server's compiled launcher (.reel/function-server) as pipelines code.
  const source = /\/(functions|pipelines)\/(?:src|dist)\/([^/]+)\//.exec(url);
  if (source) return `${source[1]}/src/${source[2]}`;
  return /\/\.reel\/function-server\//.test(url) ? 'pipelines/src/stack' : url;
}

const isLibrary = (owner: string) =>
  owner !== 'node' && !owner.startsWith('(') && !owner.includes('/src/');
const isProject = (owner: string) => owner.includes('/src/');

export interface ProfileSummary {
  windowSeconds: number;
  busyMs: number;
  idleMs: number;
  /** Busy time by the innermost frame that is not Node's own (GC and V8 on their own). */
  byCode: Map<string, number>;
  /** Busy time by the outermost library called from the project's code (or its caller). */
  byEntry: Map<string, number>;
  /** Self time by function. */
  byFunction: Map<string, number>;
}

export function summariseProfile(profile: CpuProfile, fromS = 0, toS = Infinity): ProfileSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const stackOf = (id: number): CallFrame[] => {
    const frames: CallFrame[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      frames.push(nodes.get(at)!.callFrame);
    }
    return frames; // innermost first
  };
  const summary: ProfileSummary = {
    windowSeconds: 0,
    busyMs: 0,
    idleMs: 0,
    byCode: new Map(),
    byEntry: new Map(),
    byFunction: new Map(),
  };
  const add = (map: Map<string, number>, key: string, ms: number) =>
    map.set(key, (map.get(key) ?? 0) + ms);
  let time = profile.startTime;
  let first: number | undefined;
  let last = 0;
  profile.samples.forEach((id, index) => {
    time += profile.timeDeltas[index] ?? 0;
    const seconds = (time - profile.startTime) / 1e6;
    if (seconds < fromS || seconds > toS) return;
    first ??= time;
    last = time;
    const ms = (profile.timeDeltas[index + 1] ?? 0) / 1000;
    const stack = stackOf(id);
    const leaf = stack[0]!;
    if (leaf.functionName === '(idle)') {
      summary.idleMs += ms;
      return;
    }
    summary.busyMs += ms;
    const owners = stack.map(ownerOf);
    const code = owners.find((owner) => owner !== 'node' && owner !== '(root)') ?? 'node';
    add(summary.byCode, code, ms);
    // The library the project's code called into: the outermost library frame above the
    // innermost project frame; with no project frame, the outermost library of the stack.
    const projectAt = owners.findIndex(isProject);
    const above = projectAt >= 0 ? owners.slice(0, projectAt) : owners;
    const entry = above.findLast(isLibrary) ?? (projectAt >= 0 ? owners[projectAt]! : code);
    add(summary.byEntry, entry, ms);
    add(
      summary.byFunction,
      `${leaf.functionName || '(anonymous)'} ${ownerOf(leaf)}:${leaf.url.split('/').at(-1)}:${leaf.lineNumber + 1}`,
      ms,
    );
  });
  summary.windowSeconds = first === undefined ? 0 : (last - first) / 1e6;
  return summary;
}

/**
 * Areas of a function's work, by the library its code called (ProfileSummary.byEntry): the
 * grouping docs/capacity.md reports. The first matching area wins.
 */
const AREAS: readonly [string, RegExp][] = [
  ['Firestore client (firestore)', /firestore/],
  ['BigQuery Storage Write client (bigquery-storage)', /bigquery-storage/],
  // Both clients above speak gRPC: a callback from the event loop (an answer arriving) has
  // only these on its stack, whichever client it is for.
  [
    'gRPC under both clients (google-gax, grpc-js, protobuf)',
    /google-gax|grpc|protobuf|proto-loader|opentelemetry|^long$/,
  ],
  [
    'Google client helpers (auth, gaxios, extend, streams; the BigQuery REST client, teeny-request, node-fetch)',
    /bigquery|google-cloud\/common|teeny-request|retry-request|node-fetch|promisify|google-auth-library|gaxios|stream-events|^extend$|duplexify|readable-stream/,
  ],
  [
    'functions framework and express',
    /functions-framework|express|raw-body|body-parser|^router$|on-finished|semver/,
  ],
  ["Node only: sockets, HTTP, streams, async hooks of the framework's domain", /^node$/],
  ['GC and V8', /^\(/],
  ['Reel code (validation, codec, fold-in and ranking, logging)', /^functions\/src\/|^zod$|^wasm:/],
  ['the CPU-measuring listener of the local server', /^pipelines\/src\//],
];

export function byArea(summary: ProfileSummary): Map<string, number> {
  const areas = new Map<string, number>();
  for (const [entry, ms] of summary.byEntry) {
    const area = AREAS.find(([, pattern]) => pattern.test(entry))?.[0] ?? 'other';
    areas.set(area, (areas.get(area) ?? 0) + ms);
  }
  return areas;
}

function table(title: string, map: Map<string, number>, busyMs: number, top: number): string {
  const rows = [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    title,
    ...rows.map(
      ([key, ms]) =>
        `  ${ms.toFixed(0).padStart(8)} ms ${((100 * ms) / busyMs).toFixed(1).padStart(5)} %  ${key}`,
    ),
  ].join('\n');
}

function main(): void {
  const argv = process.argv.slice(2);
  const file = argv.find((argument) => !argument.startsWith('--'));
  const flag = (name: string) => {
    const found = argv.find((argument) => argument.startsWith(`--${name}=`));
    if (found === undefined) return undefined;
    const value = Number(found.slice(name.length + 3));
    if (!Number.isFinite(value) || value < 0) throw new UsageError(`bad ${found}\n${USAGE}`);
    return value;
  };
  if (!file) throw new UsageError(USAGE);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const top = flag('top') ?? 15;
  const summary = summariseProfile(profile, flag('from') ?? 0, flag('to') ?? Infinity);
  process.stdout.write(
    [
      `${file}: ${summary.windowSeconds.toFixed(1)} s of samples, busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms`,
      table(
        'busy time by code (innermost frame not in Node itself):',
        summary.byCode,
        summary.busyMs,
        top,
      ),
      table(
        'busy time by the library the project called (outermost library below the project):',
        summary.byEntry,
        summary.busyMs,
        top,
      ),
      table('busy time by area:', byArea(summary), summary.busyMs, top),
      table('self time by function:', summary.byFunction, summary.busyMs, top),
      '',
    ].join('\n'),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    main();
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  }
}
