import { createHash } from 'node:crypto';
import { z } from 'zod';
import { describeIssues, modelConfigSchema } from './config.js';
import type { ItemSuccessors } from './sequence.js';
import { SPARK_USER_STEP } from './serve/spark-fold-in.js';
import type { ModelSet } from './train/model-set.js';

/**
 * Model files: one model version as named byte buffers. Arrays are little-endian, row-major
 * (`items × k` for factors); manifest.json describes the version and every array file with
 * its byte length and sha256. Encoding and decoding are pure (bytes in, bytes out); the
 * storage adapter writes every file first and moves the "current" pointer last.
 */

/** The format this build writes and reads. */
export const MODEL_FORMAT = 'reel-model/1';

export const MANIFEST_FILE = 'manifest.json';

const dtypes = { float32: 4, int32: 4 } as const;

/** Each item's genre mask (bit g = the manifest's genres[g]); only when the model has genres. */
const GENRES_FILE = 'item-genres.i32';

/** The rating model's implicit item factors y (items × k); only when its config turns them on. */
const IMPLICIT_FILE = 'explicit-item-implicit.f32';

/**
 * Each movie's successors (sequence.ts), only when the model has them: offsets (items + 1),
 * then the successor rows and their weights, offsets[items] of each.
 */
const SUCCESSOR_OFFSETS_FILE = 'item-successor-offsets.i32';
const SUCCESSORS_FILE = 'item-successors.i32';
const SUCCESSOR_WEIGHTS_FILE = 'item-successor-weights.f32';
type Dtype = keyof typeof dtypes;

const fileEntrySchema = z.strictObject({
  dtype: z.enum(['float32', 'int32']),
  shape: z.array(z.number().int().nonnegative()),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
});

const manifestSchema = z.strictObject({
  format: z.literal(MODEL_FORMAT),
  version: z.string().min(1),
  createdAt: z.string(),
  /** Timestamp of the newest rating the model was trained on (the data cut-off). */
  trainedThrough: z.string(),
  itemIds: z.array(z.number().int()),
  globalMean: z.number(),
  config: modelConfigSchema,
  training: z.strictObject({ users: z.number().int(), ratings: z.number().int() }),
  /** Metrics on the held-out split, by the names of EVALUATION.md. */
  metrics: z.record(z.string(), z.number()),
  /** Genre names, bit g of each mask in item-genres.i32 meaning genres[g]. */
  genres: z.array(z.string()).max(32).optional(),
  /** Which trainer wrote the model and so which user step fold-in must take; absent = in-process. */
  trainer: z
    .strictObject({
      engine: z.literal('spark-mllib-als'),
      sparkVersion: z.string(),
      userStep: z.literal(SPARK_USER_STEP),
    })
    .optional(),
  files: z.record(z.string(), fileEntrySchema),
});

export type ModelManifest = z.infer<typeof manifestSchema>;

/** What the manifest records beside the arrays. */
export interface ModelMetadata {
  readonly version: string;
  readonly createdAt: string;
  readonly trainedThrough: string;
  readonly training: { readonly users: number; readonly ratings: number };
  readonly metrics: Readonly<Record<string, number>>;
}

/** The array files of a model set: name → (dtype, shape, values). */
function arraysOf(set: ModelSet) {
  const items = set.itemIds.length;
  return {
    'explicit-item-factors.f32': {
      dtype: 'float32',
      shape: [items, set.explicit.k],
      values: set.explicit.itemFactors,
    },
    'explicit-item-biases.f32': {
      dtype: 'float32',
      shape: [items],
      values: set.explicit.itemBiases,
    },
    'ranking-item-factors.f32': {
      dtype: 'float32',
      shape: [items, set.ranking.k],
      values: set.ranking.itemFactors,
    },
    'ranking-item-weights.f32': {
      dtype: 'float32',
      shape: [items],
      values: set.ranking.itemWeights,
    },
    'item-rating-counts.i32': { dtype: 'int32', shape: [items], values: set.popularity.counts },
    'item-rating-means.f32': { dtype: 'float32', shape: [items], values: set.popularity.means },
  } satisfies Record<string, { dtype: Dtype; shape: number[]; values: ArrayLike<number> }>;
}

type ArrayName = keyof ReturnType<typeof arraysOf>;

/** Encodes a model set as files: every array file, then manifest.json. */
export function encodeModelFiles(set: ModelSet, metadata: ModelMetadata): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const entries: ModelManifest['files'] = {};
  const arrays: Record<string, { dtype: Dtype; shape: number[]; values: ArrayLike<number> }> =
    arraysOf(set);
  if (set.explicit.implicitFactors) {
    arrays[IMPLICIT_FILE] = {
      dtype: 'float32',
      shape: [set.itemIds.length, set.explicit.k],
      values: set.explicit.implicitFactors,
    };
  }
  if (set.genres) {
    // The masks' bit patterns, stored as the int32 they are.
    const values = new Int32Array(
      set.genres.masks.buffer,
      set.genres.masks.byteOffset,
      set.genres.masks.length,
    );
    arrays[GENRES_FILE] = { dtype: 'int32', shape: [set.itemIds.length], values };
  }
  if (set.successors) {
    const { offsets, items, weights } = set.successors;
    arrays[SUCCESSOR_OFFSETS_FILE] = { dtype: 'int32', shape: [offsets.length], values: offsets };
    arrays[SUCCESSORS_FILE] = { dtype: 'int32', shape: [items.length], values: items };
    arrays[SUCCESSOR_WEIGHTS_FILE] = { dtype: 'float32', shape: [weights.length], values: weights };
  }
  for (const [name, array] of Object.entries(arrays)) {
    const bytes = encodeArray(array.dtype, array.values);
    files.set(name, bytes);
    entries[name] = {
      dtype: array.dtype,
      shape: array.shape,
      bytes: bytes.byteLength,
      sha256: sha256(bytes),
    };
  }
  const manifest: ModelManifest = {
    format: MODEL_FORMAT,
    version: metadata.version,
    createdAt: metadata.createdAt,
    trainedThrough: metadata.trainedThrough,
    itemIds: Array.from(set.itemIds),
    globalMean: set.explicit.globalMean,
    config: set.config,
    training: { ...metadata.training },
    metrics: { ...metadata.metrics },
    ...(set.genres && { genres: [...set.genres.names] }),
    ...(set.trainer && { trainer: { ...set.trainer } }),
    files: entries,
  };
  files.set(MANIFEST_FILE, new TextEncoder().encode(`${JSON.stringify(manifest, null, 1)}\n`));
  return files;
}

/** A model decoded from files: the model set and its manifest. */
export interface DecodedModel {
  readonly manifest: ModelManifest;
  readonly set: ModelSet;
}

/**
 * Decodes model files, checking everything before trusting anything: the manifest's format
 * and fields, that every array file is present, as long as the manifest says (else it is
 * truncated or padded), shaped as the manifest's items and k say, and matches its sha256.
 * Throws an Error that names the file and what is wrong.
 */
export function decodeModelFiles(files: ReadonlyMap<string, Uint8Array>): DecodedModel {
  const manifest = parseManifest(files.get(MANIFEST_FILE));
  const items = manifest.itemIds.length;
  const { explicit, ranking } = manifest.config;
  const expected: Record<string, number[]> = {
    'explicit-item-factors.f32': [items, explicit.factors],
    'explicit-item-biases.f32': [items],
    'ranking-item-factors.f32': [items, ranking.factors],
    'ranking-item-weights.f32': [items],
    'item-rating-counts.i32': [items],
    'item-rating-means.f32': [items],
    ...(manifest.genres && { [GENRES_FILE]: [items] }),
    ...(explicit.implicitRegularization !== null && {
      [IMPLICIT_FILE]: [items, explicit.factors],
    }),
    // Successor lists are as long as the offsets' last entry says, checked once decoded.
    ...(manifest.files[SUCCESSOR_OFFSETS_FILE] && {
      [SUCCESSOR_OFFSETS_FILE]: [items + 1],
      [SUCCESSORS_FILE]: manifest.files[SUCCESSORS_FILE]?.shape.slice(0, 1) ?? [0],
      [SUCCESSOR_WEIGHTS_FILE]: manifest.files[SUCCESSORS_FILE]?.shape.slice(0, 1) ?? [0],
    }),
  };
  const arrays = new Map<string, Float64Array | Int32Array>();
  for (const [name, shape] of Object.entries(expected)) {
    const entry = manifest.files[name];
    if (!entry) throw new Error(`model files: manifest.json does not list ${name}`);
    if (entry.shape.join('×') !== shape.join('×')) {
      throw new Error(
        `model files: ${name} is ${entry.shape.join('×')} in the manifest's file list but the ` +
          `manifest's items and config make it ${shape.join('×')}`,
      );
    }
    const bytes = files.get(name);
    if (!bytes) throw new Error(`model files: ${name} is missing`);
    if (bytes.byteLength !== entry.bytes) {
      const how = bytes.byteLength < entry.bytes ? 'truncated' : 'longer than the manifest says';
      throw new Error(
        `model files: ${name} is ${how}: ${bytes.byteLength} bytes, manifest says ${entry.bytes}`,
      );
    }
    const want = shape.reduce((a, b) => a * b, 1) * dtypes[entry.dtype];
    if (entry.bytes !== want) {
      throw new Error(
        `model files: ${name} has ${entry.bytes} bytes but a ${shape.join('×')} ${entry.dtype} ` +
          `array has ${want}`,
      );
    }
    const digest = sha256(bytes);
    if (digest !== entry.sha256) {
      throw new Error(
        `model files: ${name} fails its checksum (sha256 ${digest}, manifest says ${entry.sha256})`,
      );
    }
    arrays.set(name, decodeArray(entry.dtype, bytes));
  }
  const get = <T extends Float64Array | Int32Array>(name: ArrayName) => arrays.get(name) as T;
  const genreMasks = arrays.get(GENRES_FILE) as Int32Array | undefined;
  if (manifest.genres && genreMasks) {
    const known = manifest.genres.length === 32 ? -1 : (1 << manifest.genres.length) - 1;
    const row = genreMasks.findIndex((mask) => (mask & ~known) !== 0);
    if (row >= 0) {
      throw new Error(
        `model files: ${GENRES_FILE} gives item ${row} a genre bit beyond the manifest's ${manifest.genres.length} genres`,
      );
    }
  }
  const successors = arrays.has(SUCCESSOR_OFFSETS_FILE)
    ? checkedSuccessors(
        arrays.get(SUCCESSOR_OFFSETS_FILE) as Int32Array,
        arrays.get(SUCCESSORS_FILE) as Int32Array,
        arrays.get(SUCCESSOR_WEIGHTS_FILE) as Float64Array,
      )
    : undefined;
  const set: ModelSet = {
    itemIds: Int32Array.from(manifest.itemIds),
    config: manifest.config,
    ...(manifest.trainer && { trainer: manifest.trainer }),
    explicit: {
      k: explicit.factors,
      globalMean: manifest.globalMean,
      config: explicit,
      itemFactors: get('explicit-item-factors.f32'),
      itemBiases: get('explicit-item-biases.f32'),
      ...(explicit.implicitRegularization !== null && {
        implicitFactors: arrays.get(IMPLICIT_FILE) as Float64Array,
      }),
    },
    ranking: {
      k: ranking.factors,
      config: ranking,
      itemFactors: get('ranking-item-factors.f32'),
      itemWeights: get('ranking-item-weights.f32'),
    },
    popularity: {
      counts: get('item-rating-counts.i32'),
      means: get('item-rating-means.f32'),
      globalMean: manifest.globalMean,
    },
    ...(manifest.genres &&
      genreMasks && {
        genres: {
          names: manifest.genres,
          masks: new Uint32Array(genreMasks.buffer, genreMasks.byteOffset, genreMasks.length),
        },
      }),
    ...(successors && { successors }),
  };
  return { manifest, set };
}

/** The successor arrays, once their offsets are known to ascend and to cover them exactly. */
function checkedSuccessors(
  offsets: Int32Array,
  items: Int32Array,
  weights: Float64Array,
): ItemSuccessors {
  const rows = offsets.length - 1;
  const bad = offsets.findIndex((offset, r) => (r === 0 ? offset !== 0 : offset < offsets[r - 1]));
  if (bad >= 0) {
    throw new Error(
      `model files: ${SUCCESSOR_OFFSETS_FILE} does not ascend from 0 at entry ${bad}`,
    );
  }
  if (offsets[rows] !== items.length) {
    throw new Error(
      `model files: ${SUCCESSOR_OFFSETS_FILE} ends at ${offsets[rows]} but ${SUCCESSORS_FILE} holds ${items.length}`,
    );
  }
  const outside = items.findIndex((row) => row < 0 || row >= rows);
  if (outside >= 0) {
    throw new Error(
      `model files: ${SUCCESSORS_FILE} entry ${outside} is row ${items[outside]}, outside 0..${rows - 1}`,
    );
  }
  return { offsets, items, weights };
}

function parseManifest(bytes: Uint8Array | undefined): ModelManifest {
  if (!bytes) throw new Error(`model files: ${MANIFEST_FILE} is missing`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new Error(
      `model files: ${MANIFEST_FILE} is not valid JSON (${(error as Error).message})`,
    );
  }
  const format = (json as { format?: unknown } | null)?.format;
  if (format !== MODEL_FORMAT) {
    throw new Error(
      `model files: unknown model format ${JSON.stringify(format)}; this build reads ${MODEL_FORMAT}`,
    );
  }
  const result = manifestSchema.safeParse(json);
  if (!result.success) {
    throw new Error(`model files: ${MANIFEST_FILE}: ${describeIssues(result.error, json)}`);
  }
  return result.data;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function encodeArray(dtype: Dtype, values: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(values.length * dtypes[dtype]);
  const view = new DataView(bytes.buffer);
  for (let n = 0; n < values.length; n++) {
    if (dtype === 'float32') view.setFloat32(4 * n, values[n], true);
    else view.setInt32(4 * n, values[n], true);
  }
  return bytes;
}

// Float32 files decode to Float64Array: the math runs in float64 on one array type.
function decodeArray(dtype: Dtype, bytes: Uint8Array): Float64Array | Int32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = bytes.byteLength / dtypes[dtype];
  if (dtype === 'int32') {
    const out = new Int32Array(count);
    for (let n = 0; n < count; n++) out[n] = view.getInt32(4 * n, true);
    return out;
  }
  const out = new Float64Array(count);
  for (let n = 0; n < count; n++) out[n] = view.getFloat32(4 * n, true);
  return out;
}
