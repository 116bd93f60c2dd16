import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_CONFIG, type ModelConfig } from './config.js';
import {
  decodeModelFiles,
  encodeModelFiles,
  MANIFEST_FILE,
  type ModelMetadata,
} from './model-files.js';
import { mulberry32 } from './random.js';
import { randomRatings } from './test-support.js';
import { type TrainedModelSet, trainModelSet } from './train/model-set.js';

const config: ModelConfig = {
  ...DEFAULT_MODEL_CONFIG,
  explicit: { ...DEFAULT_MODEL_CONFIG.explicit, factors: 3, iterations: 2 },
  ranking: { ...DEFAULT_MODEL_CONFIG.ranking, factors: 4, iterations: 2 },
};
const metadata: ModelMetadata = {
  version: '20261123-000000',
  createdAt: '2026-11-23T00:00:00Z',
  trainedThrough: '2026-11-22T23:59:59Z',
  training: { users: 20, ratings: 160 },
  metrics: { rmse: 0.84, ndcg10: 0.12 },
};

let set: TrainedModelSet;
let files: Map<string, Uint8Array>;

beforeAll(async () => {
  const ratings = randomRatings(mulberry32(3), 20, 30, 8);
  const itemIds = Int32Array.from({ length: 30 }, (_, i) => 1000 + i);
  set = await trainModelSet(ratings, itemIds, config, { random: mulberry32(1) });
  files = encodeModelFiles(set, metadata);
});

function edited(name: string, bytes: Uint8Array): Map<string, Uint8Array> {
  return new Map([...files, [name, bytes]]);
}

// The manifest as parsed JSON, to edit into something invalid.
interface EditableManifest extends Record<string, unknown> {
  files: Record<string, { bytes: number }>;
  config: { ranking: { factors: number } };
}

function manifestWith(edit: (manifest: EditableManifest) => void): Map<string, Uint8Array> {
  const manifest = JSON.parse(new TextDecoder().decode(files.get(MANIFEST_FILE)));
  edit(manifest);
  return edited(MANIFEST_FILE, new TextEncoder().encode(JSON.stringify(manifest)));
}

describe('model files', () => {
  it('round-trip: decoding gives the float32-rounded arrays, re-encoding the same bytes', () => {
    const { manifest, set: decoded } = decodeModelFiles(files);
    expect(manifest.version).toBe(metadata.version);
    expect(manifest.metrics).toEqual(metadata.metrics);
    expect(Array.from(decoded.itemIds)).toEqual(Array.from(set.itemIds));
    expect(decoded.config).toEqual(config);
    expect(Array.from(decoded.ranking.itemFactors)).toEqual(
      Array.from(set.ranking.itemFactors, Math.fround),
    );
    expect(Array.from(decoded.explicit.itemBiases)).toEqual(
      Array.from(set.explicit.itemBiases, Math.fround),
    );
    expect(decoded.popularity.counts).toEqual(set.popularity.counts);
    const again = encodeModelFiles(decoded, metadata);
    expect([...again.keys()].sort()).toEqual([...files.keys()].sort());
    for (const [name, bytes] of files) expect(again.get(name)).toEqual(bytes);
  });

  it('stores factors as little-endian float32, row-major items × k', () => {
    const bytes = files.get('ranking-item-factors.f32')!;
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const k = config.ranking.factors;
    // Item 5, dimension 2.
    expect(view.getFloat32((5 * k + 2) * 4, true)).toBe(
      Math.fround(set.ranking.itemFactors[5 * k + 2]!),
    );
  });

  it('rejects a truncated file', () => {
    const bytes = files.get('explicit-item-factors.f32')!;
    expect(() =>
      decodeModelFiles(edited('explicit-item-factors.f32', bytes.subarray(0, 100))),
    ).toThrow(
      `model files: explicit-item-factors.f32 is truncated: 100 bytes, manifest says ${bytes.byteLength}`,
    );
  });

  it('rejects a file whose length does not fit its shape', () => {
    const wrong = manifestWith((manifest) => {
      manifest.files['item-rating-means.f32']!.bytes = 116;
    });
    wrong.set('item-rating-means.f32', new Uint8Array(116));
    expect(() => decodeModelFiles(wrong)).toThrow(
      'model files: item-rating-means.f32 has 116 bytes but a 30 float32 array has 120',
    );
  });

  it('rejects a corrupted file by its checksum', () => {
    const bytes = files.get('ranking-item-weights.f32')!.slice();
    bytes[7]! ^= 1;
    expect(() => decodeModelFiles(edited('ranking-item-weights.f32', bytes))).toThrow(
      /^model files: ranking-item-weights\.f32 fails its checksum \(sha256 [0-9a-f]{64}, manifest says [0-9a-f]{64}\)$/,
    );
  });

  it('rejects a manifest whose shapes disagree with its items and config', () => {
    const mismatch = manifestWith((manifest) => {
      manifest.config.ranking.factors = 8;
    });
    expect(() => decodeModelFiles(mismatch)).toThrow(
      "model files: ranking-item-factors.f32 is 30×4 in the manifest's file list but the " +
        "manifest's items and config make it 30×8",
    );
  });

  it('rejects an unknown format version, a missing file and an invalid manifest', () => {
    expect(() =>
      decodeModelFiles(
        manifestWith((m) => {
          m.format = 'reel-model/2';
        }),
      ),
    ).toThrow('model files: unknown model format "reel-model/2"; this build reads reel-model/1');
    const missing = new Map(files);
    missing.delete('item-rating-counts.i32');
    expect(() => decodeModelFiles(missing)).toThrow(
      'model files: item-rating-counts.i32 is missing',
    );
    expect(() => decodeModelFiles(edited(MANIFEST_FILE, new TextEncoder().encode('{')))).toThrow(
      /^model files: manifest\.json is not valid JSON/,
    );
    expect(() =>
      decodeModelFiles(
        manifestWith((m) => {
          m.globalMean = 'high';
        }),
      ),
    ).toThrow(
      'model files: manifest.json: globalMean: Invalid input: expected number, received string (got "high")',
    );
  });

  it("stores the items' genres when the model has them, and checks their bits", () => {
    const genres = {
      names: ['Drama', 'Sci-Fi'],
      masks: Uint32Array.from({ length: 30 }, (_, i) => i % 4),
    };
    const withGenres = encodeModelFiles({ ...set, genres }, metadata);
    const { manifest, set: decoded } = decodeModelFiles(withGenres);
    expect(manifest.genres).toEqual(['Drama', 'Sci-Fi']);
    expect(decoded.genres?.names).toEqual(['Drama', 'Sci-Fi']);
    expect(Array.from(decoded.genres?.masks ?? [])).toEqual(Array.from(genres.masks));

    const beyond = encodeModelFiles(
      { ...set, genres: { names: ['Drama'], masks: genres.masks } },
      metadata,
    );
    expect(() => decodeModelFiles(beyond)).toThrow(
      "model files: item-genres.i32 gives item 2 a genre bit beyond the manifest's 1 genres",
    );
    const missing = new Map(withGenres);
    missing.delete('item-genres.i32');
    expect(() => decodeModelFiles(missing)).toThrow('model files: item-genres.i32 is missing');
  });

  it("stores each movie's successors with the sequence term on, and checks them", () => {
    const { set: decoded } = decodeModelFiles(files);
    const { successors } = set;
    expect(successors?.items.length).toBeGreaterThan(0);
    expect(decoded.successors?.offsets).toEqual(successors?.offsets);
    expect(decoded.successors?.items).toEqual(successors?.items);
    expect(Array.from(decoded.successors?.weights ?? [])).toEqual(
      Array.from(successors?.weights ?? []),
    );
    const bad = (edit: Partial<NonNullable<TrainedModelSet['successors']>>) => () =>
      decodeModelFiles(
        encodeModelFiles({ ...set, successors: { ...successors!, ...edit } }, metadata),
      );
    const offsets = successors!.offsets.slice();
    offsets[3] = offsets[2]! - 1;
    expect(bad({ offsets })).toThrow(
      'model files: item-successor-offsets.i32 does not ascend from 0 at entry 3',
    );
    const outside = successors!.items.slice();
    outside[0] = 30;
    expect(bad({ items: outside })).toThrow(
      'model files: item-successors.i32 entry 0 is row 30, outside 0..29',
    );
    expect(
      bad({ items: successors!.items.subarray(1), weights: successors!.weights.subarray(1) }),
    ).toThrow(
      `model files: item-successor-offsets.i32 ends at ${successors!.items.length} but item-successors.i32 holds ${successors!.items.length - 1}`,
    );
    const off = encodeModelFiles({ ...set, successors: undefined }, metadata);
    expect([...off.keys()].filter((name) => name.includes('successor'))).toEqual([]);
    expect(decodeModelFiles(off).set.successors).toBeUndefined();
  });

  it('reads a model published before the genre term: no genres, the term off', () => {
    const older = manifestWith((m) => {
      delete (m.config as Record<string, unknown>).genres;
    });
    const { set: decoded } = decodeModelFiles(older);
    expect(decoded.genres).toBeUndefined();
    expect(decoded.config.genres.weight).toBe(0);
  });

  it('stores the implicit item factors when the rating model has them, and needs them', async () => {
    const ratings = randomRatings(mulberry32(3), 20, 30, 8);
    const itemIds = Int32Array.from({ length: 30 }, (_, i) => 1000 + i);
    const implicit: ModelConfig = {
      ...config,
      explicit: { ...config.explicit, implicitRegularization: 3 },
    };
    const trained = await trainModelSet(ratings, itemIds, implicit, { random: mulberry32(1) });
    const stored = encodeModelFiles(trained, metadata);
    const { set: decoded } = decodeModelFiles(stored);
    expect(Array.from(decoded.explicit.implicitFactors!)).toEqual(
      Array.from(Float32Array.from(trained.explicit.implicitFactors!)),
    );
    const missing = new Map(stored);
    missing.delete('explicit-item-implicit.f32');
    expect(() => decodeModelFiles(missing)).toThrow(
      'model files: explicit-item-implicit.f32 is missing',
    );
  });

  it('reads a model published before implicit feedback: the term off, no y file', () => {
    const older = manifestWith((m) => {
      delete (m.config as unknown as { explicit: Record<string, unknown> }).explicit
        .implicitRegularization;
    });
    const { set: decoded } = decodeModelFiles(older);
    expect(decoded.config.explicit.implicitRegularization).toBeNull();
    expect(decoded.explicit.implicitFactors).toBeUndefined();
  });
});
