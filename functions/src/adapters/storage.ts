import type { Bucket } from '@google-cloud/storage';
import {
  CATALOGUE_PATH,
  MODELS_PREFIX,
  type ModelPointer,
  type MovieList,
  modelFilePath,
  POINTER_PATH,
  parseModelPointer,
  parseMovieList,
  RETRAIN_STATUS_PATH,
  STAGING_PREFIX,
  stagedFilePath,
  stagingDirectory,
  versionDirectory,
} from '../model-store/bucket-layout.js';

/** A model's files by name (e.g. "manifest.json"); the model module encodes and decodes them. */
export type ModelFiles = Map<string, Uint8Array>;

/** The pointer moved since it was read: someone else published or rolled back meanwhile. */
export class PointerMovedError extends Error {
  constructor(expectedGeneration: string) {
    super(
      expectedGeneration === '0'
        ? `${POINTER_PATH} appeared while publishing; read it again and retry`
        : `${POINTER_PATH} changed since generation ${expectedGeneration} was read; read it again and retry`,
    );
    this.name = 'PointerMovedError';
  }
}

export class ModelVersionExistsError extends Error {
  constructor(path: string) {
    super(`${path} already exists: model versions are immutable, publish under a new version`);
    this.name = 'ModelVersionExistsError';
  }
}

function isPreconditionFailed(error: unknown): boolean {
  return (error as { code?: number }).code === 412;
}

function isNotFound(error: unknown): boolean {
  return (error as { code?: number }).code === 404;
}

/**
 * Writes every file of a model version. Each write is conditional on the object not existing
 * (ifGenerationMatch: 0), so a version, once written, is never altered.
 */
export async function writeModelFiles(
  bucket: Bucket,
  version: string,
  files: ModelFiles,
): Promise<void> {
  await writeFilesUnder(bucket, files, (name) => modelFilePath(version, name));
}

/** Writes a version's files under `staging/{version}/`, each if-absent, for the publish step. */
export async function writeStagedFiles(
  bucket: Bucket,
  version: string,
  files: ModelFiles,
): Promise<void> {
  await writeFilesUnder(bucket, files, (name) => stagedFilePath(version, name));
}

async function writeFilesUnder(
  bucket: Bucket,
  files: ModelFiles,
  pathOf: (name: string) => string,
) {
  await Promise.all(
    [...files].map(async ([name, bytes]) => {
      const path = pathOf(name);
      try {
        await bucket
          .file(path)
          .save(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
            resumable: false,
            contentType: name.endsWith('.json') ? 'application/json' : 'application/octet-stream',
            preconditionOpts: { ifGenerationMatch: 0 },
          });
      } catch (error) {
        if (isPreconditionFailed(error)) throw new ModelVersionExistsError(path);
        throw error;
      }
    }),
  );
}

/** Reads every file of a model version; an unknown version is an error naming it. */
export async function readModelFiles(bucket: Bucket, version: string): Promise<ModelFiles> {
  return readFilesUnder(bucket, versionDirectory(version));
}

/** Reads every file of a staged version; an unknown version is an error naming it. */
export async function readStagedFiles(bucket: Bucket, version: string): Promise<ModelFiles> {
  return readFilesUnder(bucket, stagingDirectory(version));
}

async function readFilesUnder(bucket: Bucket, prefix: string): Promise<ModelFiles> {
  const [objects] = await bucket.getFiles({ prefix });
  if (objects.length === 0) throw new Error(`no model files under gs://${bucket.name}/${prefix}`);
  const entries = await Promise.all(
    objects.map(async (object) => {
      const [contents] = await object.download();
      return [object.name.slice(prefix.length), new Uint8Array(contents)] as const;
    }),
  );
  return new Map(entries);
}

/**
 * Copies a staged version to `models/{version}/` (server-side copies, each if-absent, so a
 * published version is never altered; a copy already made by an earlier attempt is kept).
 */
export async function promoteStaged(bucket: Bucket, version: string): Promise<void> {
  const from = stagingDirectory(version);
  const to = versionDirectory(version);
  const [objects] = await bucket.getFiles({ prefix: from });
  if (objects.length === 0) throw new Error(`no model files under gs://${bucket.name}/${from}`);
  await Promise.all(
    objects.map(async (object) => {
      try {
        await object.copy(bucket.file(`${to}${object.name.slice(from.length)}`), {
          preconditionOpts: { ifGenerationMatch: 0 },
        });
      } catch (error) {
        if (!isPreconditionFailed(error)) throw error;
      }
    }),
  );
}

/** Deletes every object of a published version (the prune step's; never the serving one). */
export async function deleteModelVersion(bucket: Bucket, version: string): Promise<void> {
  await bucket.deleteFiles({ prefix: versionDirectory(version) });
}

export async function deleteStagedVersion(bucket: Bucket, version: string): Promise<void> {
  await bucket.deleteFiles({ prefix: stagingDirectory(version) });
}

/** A version's manifest.json as JSON (the gate needs its metrics, not the whole model). */
export async function readModelManifest(bucket: Bucket, version: string): Promise<unknown> {
  const [contents] = await bucket.file(modelFilePath(version, 'manifest.json')).download();
  return JSON.parse(contents.toString('utf8'));
}

export interface PointerState {
  pointer: ModelPointer;
  /** The object's generation, for a conditional move. */
  generation: string;
}

/** The current pointer and its generation, or undefined before the first model is published. */
export async function readPointer(bucket: Bucket): Promise<PointerState | undefined> {
  // Metadata first, then the contents of exactly that generation, so the pair is consistent
  // even if the pointer moves in between (then that generation is gone: read again).
  for (let attempt = 1; ; attempt += 1) {
    let generation: string;
    try {
      const [metadata] = await bucket.file(POINTER_PATH).getMetadata();
      generation = String(metadata.generation);
      const [contents] = await bucket.file(POINTER_PATH, { generation }).download();
      return { pointer: parseModelPointer(contents.toString('utf8')), generation };
    } catch (error) {
      if (!isNotFound(error)) throw error;
      if (attempt === 3) return undefined;
    }
  }
}

/**
 * Moves the pointer to `pointer` if it is still at `expectedGeneration` ("0" = must not exist
 * yet); otherwise throws PointerMovedError and changes nothing. Returns the new generation.
 */
export async function movePointer(
  bucket: Bucket,
  pointer: ModelPointer,
  expectedGeneration: string,
): Promise<string> {
  const file = bucket.file(POINTER_PATH);
  try {
    await file.save(JSON.stringify(pointer), {
      resumable: false,
      contentType: 'application/json',
      // Readers must see a move at once, not a cached older pointer.
      metadata: { cacheControl: 'no-store' },
      preconditionOpts: { ifGenerationMatch: Number(expectedGeneration) },
    });
  } catch (error) {
    if (isPreconditionFailed(error)) throw new PointerMovedError(expectedGeneration);
    throw error;
  }
  // save() leaves the written object's metadata on the File: the generation we created.
  return String(file.metadata.generation);
}

/** Every version with files in the bucket, sorted by name (for rollback). */
export async function listModelVersions(bucket: Bucket): Promise<string[]> {
  return listDirectories(bucket, MODELS_PREFIX);
}

/** Every staged version, sorted by name. */
export async function listStagedVersions(bucket: Bucket): Promise<string[]> {
  return listDirectories(bucket, STAGING_PREFIX);
}

async function listDirectories(bucket: Bucket, prefix: string): Promise<string[]> {
  const versions: string[] = [];
  let pageToken: string | undefined;
  do {
    const [, next, response] = await bucket.getFiles({
      prefix,
      delimiter: '/',
      autoPaginate: false,
      pageToken,
    });
    const prefixes = (response as { prefixes?: string[] } | undefined)?.prefixes ?? [];
    versions.push(...prefixes.map((each) => each.slice(prefix.length, -1)));
    pageToken = (next as { pageToken?: string } | null)?.pageToken;
  } while (pageToken);
  return versions.sort();
}

/** The catalogue (which movies exist), or undefined if none was published. */
export async function readCatalogue(bucket: Bucket): Promise<MovieList | undefined> {
  try {
    const [contents] = await bucket.file(CATALOGUE_PATH).download();
    return parseMovieList(contents.toString('utf8'), `gs://${bucket.name}/${CATALOGUE_PATH}`);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * Publishes the catalogue (replacing the previous one); `npm run load` does this. With
 * `genresOf`, each movie's genres go with it (the retrain gives them to the model); with
 * `titlesOf`, its title and year (the API serves them).
 */
export async function writeCatalogue(
  bucket: Bucket,
  movieIds: Iterable<number>,
  genresOf?: ReadonlyMap<number, readonly string[]>,
  titlesOf?: ReadonlyMap<number, { title: string; year: number | null }>,
): Promise<void> {
  const ids = [...new Set(movieIds)].sort((a, b) => a - b);
  const list: MovieList = {
    movieIds: ids,
    ...(genresOf && { genres: ids.map((id) => [...(genresOf.get(id) ?? [])]) }),
    ...(titlesOf && {
      titles: ids.map((id) => titlesOf.get(id)?.title ?? ''),
      years: ids.map((id) => titlesOf.get(id)?.year ?? null),
    }),
  };
  await bucket.file(CATALOGUE_PATH).save(JSON.stringify(list), {
    resumable: false,
    contentType: 'application/json',
  });
}

/** Records what a retrain did (replacing the previous record). */
export async function writeRetrainStatus(bucket: Bucket, status: object): Promise<void> {
  await bucket.file(RETRAIN_STATUS_PATH).save(JSON.stringify(status, null, 1), {
    resumable: false,
    contentType: 'application/json',
    metadata: { cacheControl: 'no-store' },
  });
}

/** The last retrain's record, or undefined before the first. */
export async function readRetrainStatus(bucket: Bucket): Promise<unknown> {
  try {
    const [contents] = await bucket.file(RETRAIN_STATUS_PATH).download();
    return JSON.parse(contents.toString('utf8'));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
