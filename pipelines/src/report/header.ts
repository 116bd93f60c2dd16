import { relative } from 'node:path';
import type { LoadedRatings } from '../data/ratings-parser.js';
import { toJson } from './json.js';
import { type Machine, machineLine } from './machine.js';
import { formatCount } from './progress.js';

/** What a dataset was: where it came from and its size. */
export interface DatasetInfo {
  name: string;
  source: string;
  ratings: number;
  users: number;
  movies: number;
}

/** `source` is shown relative to the working directory, so printed figures hold no home paths. */
export function datasetInfo(name: string, source: string, loaded: LoadedRatings): DatasetInfo {
  return {
    name,
    source: relative(process.cwd(), source) || source,
    ratings: loaded.ratings.value.length,
    users: loaded.ratings.userCount,
    movies: loaded.ratings.itemCount,
  };
}

/** The lines every run prints first: protocol, dataset, parameters, seed, machine. */
export function headerLines(run: {
  title: string;
  dataset: DatasetInfo;
  parameters: Record<string, unknown>;
  seed: number;
  machine: Machine;
}): string[] {
  const { dataset } = run;
  return [
    run.title,
    `dataset: ${dataset.name} (${dataset.source}): ${formatCount(dataset.ratings)} ratings, ` +
      `${formatCount(dataset.users)} users, ${formatCount(dataset.movies)} movies`,
    `parameters: ${formatParameters(run.parameters)}`,
    `seed: ${run.seed}`,
    machineLine(run.machine),
  ];
}

function formatParameters(parameters: Record<string, unknown>): string {
  return Object.entries(parameters)
    .map(([key, value]) => `${key}=${typeof value === 'object' ? toJson(value) : String(value)}`)
    .join(', ');
}
