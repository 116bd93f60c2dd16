import { rankingEvidence } from '../als/evidence.js';
import { addGramRows, ImplicitScratch, type ImplicitSide } from '../als/implicit-step.js';
import { mirrorLower, symmetricEigen } from '../als/linalg.js';
import type { RankingConfig } from '../config.js';
import type { Ratings } from '../types.js';
import { balancedChunks, fillUniform } from './chunks.js';
import type { Executor } from './executor.js';
import { CHUNK_COUNT, type TrainOptions, trainingSetup } from './explicit.js';
import type {
  GramArgs,
  ImplicitLossArgs,
  ImplicitRowsArgs,
  RotateArgs,
} from './parallel-kernels.js';
import { type Csr, gatherFloat32, sharedFloat32, sharedFloat64 } from './rating-layout.js';

/** A trained ranking model: score(u, i) = x_u·y_i. */
export interface RankingModel {
  readonly k: number;
  readonly config: RankingConfig;
  /** y_i, items × k row-major. */
  readonly itemFactors: Float64Array;
  /** π_i, the weight of item i's unobserved cells (see implicit-step.ts). */
  readonly itemWeights: Float64Array;
  /** x_u, users × k: exactly the user step against the final item side (what fold-in gives). */
  readonly userFactors: Float64Array;
}

/** The item side of a ranking model as the user step needs it, Σ α₀π·y·yᵀ included. */
export function rankingUserSide(
  model: Pick<RankingModel, 'k' | 'config' | 'itemFactors' | 'itemWeights'>,
): ImplicitSide {
  const { k, config, itemFactors, itemWeights } = model;
  const chunkStarts = gramChunks(itemWeights.length);
  const partial = new Float64Array(k * k);
  const gram = new Float64Array(k * k);
  const scratch = new ImplicitScratch(k);
  // The trainer's summation order (per-chunk partials, added in chunk order), so fold-in
  // reproduces its user step bit for bit.
  for (let c = 0; c + 1 < chunkStarts.length; c++) {
    partial.fill(0);
    addGramRows(
      partial,
      itemFactors,
      k,
      chunkStarts[c],
      chunkStarts[c + 1],
      config.unobservedWeight,
      itemWeights,
      scratch,
    );
    for (let n = 0; n < k * k; n++) gram[n] += partial[n];
  }
  mirrorLower(gram, k);
  return sideOf(config, k, itemFactors, gram, undefined, itemWeights, false);
}

function sideOf(
  config: RankingConfig,
  k: number,
  fixedFactors: Float64Array,
  gram: Float64Array,
  gramDiagonal: Float64Array | undefined,
  itemWeights: Float64Array,
  solvingItems: boolean,
): ImplicitSide {
  return {
    k,
    unobservedWeight: config.unobservedWeight,
    regularization: config.regularization,
    frequencyExponent: config.frequencyExponent,
    fixedFactors,
    gram,
    gramDiagonal,
    itemWeights,
    solvingItems,
  };
}

/**
 * π_i = n_i^ω / mean_j(n_j^ω), n_i being item i's rating count: with ω > 0 a popular movie
 * someone has not rated counts more against it than an obscure one. ω = 0 gives π = 1.
 */
export function unobservedItemWeights(byItem: Csr, exponent: number): Float64Array {
  const weights = sharedFloat64(byItem.rowCount);
  let sum = 0;
  for (let i = 0; i < byItem.rowCount; i++) {
    const count = byItem.offsets[i + 1] - byItem.offsets[i];
    weights[i] = exponent === 0 ? 1 : count ** exponent;
    sum += weights[i];
  }
  const mean = sum / Math.max(1, byItem.rowCount);
  if (mean > 0) for (let i = 0; i < weights.length; i++) weights[i] /= mean;
  return weights;
}

/**
 * Trains the ranking model by weighted implicit ALS over every (user, movie) cell, the
 * evidence of each rating given by {@link rankingEvidence}. Each iteration solves every item,
 * then every user (by `config.cgSteps` conjugate-gradient steps, or exactly); the last user
 * step is always exact, so the returned user vectors are what fold-in computes.
 */
export async function trainRanking(
  ratings: Ratings,
  config: RankingConfig,
  options: TrainOptions,
): Promise<RankingModel> {
  const { layout, executor, clock } = trainingSetup(ratings, options);
  const { userCount, itemCount } = ratings;
  const k = config.factors;
  const ratingCount = ratings.value.length;

  const evidence = userEvidence(config, layout.byUser, ratings);
  const itemWeights = unobservedItemWeights(layout.byItem, config.unobservedExponent);
  const userFactors = sharedFloat64(userCount * k);
  const itemFactors = sharedFloat64(itemCount * k);
  fillUniform(userFactors, config.initScale, options.random);

  const rowCost = config.cgSteps > 0 ? k : k * k;
  const items = {
    chunkStarts: balancedChunks(layout.byItem.offsets, CHUNK_COUNT, rowCost),
    offsets: layout.byItem.offsets,
    indices: layout.byItem.indices,
    weights: gatherFloat32(layout.byItem, evidence.weights),
    targets: gatherFloat32(layout.byItem, evidence.targets),
  };
  const users = {
    chunkStarts: balancedChunks(layout.byUser.offsets, CHUNK_COUNT, rowCost),
    offsets: layout.byUser.offsets,
    indices: layout.byUser.indices,
    weights: gatherFloat32(layout.byUser, evidence.weights),
    targets: gatherFloat32(layout.byUser, evidence.targets),
  };

  // With conjugate gradient, a half-step may first rotate both sides into the eigenbasis of
  // the fixed side's Gram matrix (an orthogonal change of basis leaves every score and the
  // objective unchanged): there the Gram matrix is diagonal, so each of the cgSteps + 1
  // products per row costs O(n·k) instead of O(k² + n·k), and the Jacobi preconditioner sees
  // most of the system. Rotating costs k² per row of both sides, so it pays when
  // (cgSteps + 1)·solved rows > solved rows + fixed rows.
  const pays = (solved: number, fixed: number) =>
    config.cgSteps > 0 && (config.cgSteps + 1) * solved > solved + fixed;
  const rotateFor = {
    items: pays(itemCount, userCount),
    users: pays(userCount, itemCount),
  };
  const halfStep = async (solving: 'items' | 'users', exact: boolean) => {
    const fixed = solving === 'items' ? userFactors : itemFactors;
    const weights = solving === 'items' ? undefined : itemWeights;
    let gram = await gramOf(executor, fixed, k, config.unobservedWeight, weights);
    let gramDiagonal: Float64Array | undefined;
    if (rotateFor[solving] && !exact) {
      const { values, vectors } = symmetricEigen(gram, k);
      const rotation = sharedFloat64(k * k);
      rotation.set(vectors);
      for (const factors of [userFactors, itemFactors]) {
        const chunkStarts = gramChunks(factors.length / k);
        const args: RotateArgs = { k, factors, rotation, chunkStarts };
        await executor.run('rotate', args, chunkStarts.length - 1);
      }
      gramDiagonal = sharedFloat64(k);
      gramDiagonal.set(values);
      gram = sharedFloat64(k * k);
      for (let d = 0; d < k; d++) gram[d * k + d] = values[d];
    }
    const rows = solving === 'items' ? items : users;
    const args: ImplicitRowsArgs = {
      ...rows,
      side: sideOf(config, k, fixed, gram, gramDiagonal, itemWeights, solving === 'items'),
      factors: solving === 'items' ? itemFactors : userFactors,
      cgSteps: exact ? 0 : config.cgSteps,
    };
    await executor.run('implicitRows', args, rows.chunkStarts.length - 1);
    return args;
  };

  for (let iteration = 1; iteration <= config.iterations; iteration++) {
    const started = clock();
    await halfStep('items', config.cgSteps === 0);
    // The last user step is exact and uses the Gram matrix as fold-in computes it.
    const userArgs = await halfStep(
      'users',
      config.cgSteps === 0 || iteration === config.iterations,
    );
    const seconds = clock() - started;
    if (options.onIteration) {
      const chunkCount = users.chunkStarts.length - 1;
      const lossArgs: ImplicitLossArgs = { ...userArgs, partials: sharedFloat64(2 * chunkCount) };
      await executor.run('implicitLoss', lossArgs, chunkCount);
      let loss = 0;
      for (let c = 0; c < chunkCount; c++) {
        loss += lossArgs.partials[2 * c] + lossArgs.partials[2 * c + 1];
      }
      loss += itemPenalty(config, k, itemFactors, layout.byItem, userCount);
      options.onIteration({
        model: 'ranking',
        iteration,
        seconds,
        loss: loss / Math.max(1, ratingCount),
      });
    }
  }
  return { k, config, itemFactors, itemWeights, userFactors };
}

function itemPenalty(
  config: RankingConfig,
  k: number,
  itemFactors: Float64Array,
  byItem: Csr,
  userCount: number,
): number {
  let penalty = 0;
  for (let row = 0; row < byItem.rowCount; row++) {
    let norm = 0;
    for (let d = 0; d < k; d++) norm += itemFactors[row * k + d] ** 2;
    const count = byItem.offsets[row + 1] - byItem.offsets[row];
    penalty +=
      config.regularization *
      (count + config.unobservedWeight * userCount) ** config.frequencyExponent *
      norm;
  }
  return penalty;
}

/** Equal chunks of rows for summing a Gram matrix. */
function gramChunks(rows: number): Int32Array {
  return balancedChunks(new Int32Array(rows + 1), CHUNK_COUNT, 1);
}

/** scale·Σ w_r·f_r·f_rᵀ over all rows of `factors`, summed from per-chunk partials in order. */
async function gramOf(
  executor: Executor,
  factors: Float64Array,
  k: number,
  scale: number,
  rowWeights: Float64Array | undefined,
): Promise<Float64Array> {
  const chunkStarts = gramChunks(factors.length / k);
  const chunkCount = chunkStarts.length - 1;
  const args: GramArgs = {
    k,
    factors,
    scale,
    rowWeights,
    chunkStarts,
    partials: sharedFloat64(chunkCount * k * k),
  };
  await executor.run('gram', args, chunkCount);
  const gram = sharedFloat64(k * k);
  for (let c = 0; c < chunkCount; c++) {
    const base = c * k * k;
    for (let n = 0; n < k * k; n++) gram[n] += args.partials[base + n];
  }
  mirrorLower(gram, k);
  return gram;
}

/** Evidence weights and targets of every rating, in the original (coordinate) order. */
function userEvidence(config: RankingConfig, byUser: Csr, ratings: Ratings) {
  const n = ratings.value.length;
  const { offsets, source } = byUser;
  const values = gatherFloat32(byUser, ratings.value);
  let timestamps: Float64Array | undefined;
  if (ratings.timestamp) {
    timestamps = new Float64Array(n);
    for (let p = 0; p < n; p++) timestamps[p] = ratings.timestamp[source[p]];
  }
  const weightsByUser = new Float32Array(n);
  const targetsByUser = new Float32Array(n);
  let longest = 0;
  for (let u = 0; u < byUser.rowCount; u++)
    longest = Math.max(longest, offsets[u + 1] - offsets[u]);
  const sortedTimes = new Float64Array(longest);
  for (let u = 0; u < byUser.rowCount; u++) {
    rankingEvidence(
      config,
      values,
      timestamps,
      offsets[u],
      offsets[u + 1],
      weightsByUser,
      targetsByUser,
      sortedTimes,
    );
  }
  const weights = sharedFloat32(n);
  const targets = sharedFloat32(n);
  for (let p = 0; p < n; p++) {
    weights[source[p]] = weightsByUser[p];
    targets[source[p]] = targetsByUser[p];
  }
  return { weights, targets };
}
