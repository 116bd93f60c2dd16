import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { type ProgressSink, progressMeter, silentProgress } from '../report/progress.js';
import { type LoadedRatings, type RatingsParseOptions, RatingsParser } from './ratings-parser.js';

export interface LoadRatingsOptions extends RatingsParseOptions {
  progress?: ProgressSink;
}

/**
 * Reads a MovieLens rating file of any format (detected by content) as it streams from disk.
 * Throws a RatingsParseError naming the malformed lines unless `onMalformed` is `skip`.
 */
export async function loadRatingsFile(
  path: string,
  options: LoadRatingsOptions = {},
): Promise<LoadedRatings> {
  const { size } = await stat(path);
  const meter = progressMeter(options.progress ?? silentProgress, `reading ${path}`, size, 'bytes');
  const parser = new RatingsParser(options);
  let read = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    parser.push(chunk as Buffer);
    read += (chunk as Buffer).length;
    meter.update(read);
  }
  meter.done();
  return parser.end();
}

/** Parses a whole rating file held in a string (tests, small inputs). */
export function parseRatingsText(text: string, options: RatingsParseOptions = {}): LoadedRatings {
  const parser = new RatingsParser(options);
  parser.push(new TextEncoder().encode(text));
  return parser.end();
}
