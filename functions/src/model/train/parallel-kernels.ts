import {
  ExplicitScratch,
  type ExplicitSide,
  implicitPrior,
  type RatingSessions,
  solveExplicitRow,
} from '../als/explicit-step.js';
import {
  addGramRows,
  ImplicitScratch,
  type ImplicitSide,
  implicitRowsLoss,
  refineImplicitRow,
  rotateRows,
  solveImplicitRow,
} from '../als/implicit-step.js';
import {
  feedbackProduct,
  feedbackRhs,
  feedbackUpdate,
  feedbackUserSums,
} from './implicit-feedback.js';

/**
 * The parallel work of training, as pure functions of (arguments, chunk index). Arguments hold
 * only numbers and typed arrays over SharedArrayBuffers, so a worker thread receives them
 * without copying; each chunk writes only its own rows (or its own slot of `partials`), so the
 * result does not depend on which thread ran which chunk, nor in what order.
 */

/** Rows of one side grouped in chunks: chunk c covers rows chunkStarts[c] ≤ row < chunkStarts[c+1]. */
interface Chunked {
  readonly chunkStarts: Int32Array;
}

/** Ratings of the side being solved, row-major (users when solving users). */
interface Rows {
  readonly offsets: Int32Array;
  readonly indices: Int32Array;
}

export interface ExplicitRowsArgs extends Chunked, Rows {
  readonly side: ExplicitSide;
  readonly values: Float32Array;
  readonly factors: Float64Array;
  readonly biases: Float64Array;
  /** Session of each rating and session biases, when the ratings have timestamps. */
  readonly sessions?: RatingSessions;
  /** User step only: row r owns sessions sessionStarts[r] ≤ id < sessionStarts[r+1] and solves them. */
  readonly sessionStarts?: Int32Array;
  readonly maxSessions: number;
}

export interface ImplicitRowsArgs extends Chunked, Rows {
  readonly side: ImplicitSide;
  readonly weights: Float32Array;
  readonly targets: Float32Array;
  readonly factors: Float64Array;
  readonly cgSteps: number;
}

export interface GramArgs extends Chunked {
  readonly k: number;
  readonly factors: Float64Array;
  readonly scale: number;
  /** Per-row weights of the sum; absent = 1. */
  readonly rowWeights?: Float64Array;
  /** chunkCount × k × k partial sums (lower triangles). */
  readonly partials: Float64Array;
}

export interface RotateArgs extends Chunked {
  readonly k: number;
  readonly factors: Float64Array;
  /** k × k, row-major: each row f becomes f·rotation. */
  readonly rotation: Float64Array;
}

export interface ExplicitLossArgs extends Chunked, Rows {
  readonly side: ExplicitSide;
  readonly values: Float32Array;
  readonly factors: Float64Array;
  readonly biases: Float64Array;
  readonly sessions?: RatingSessions;
  /** chunkCount × 2: squared error, regularisation penalty. */
  readonly partials: Float64Array;
}

export interface ImplicitLossArgs extends Chunked, Rows {
  readonly side: ImplicitSide;
  readonly weights: Float32Array;
  readonly targets: Float32Array;
  readonly factors: Float64Array;
  /** chunkCount × 2: weighted squared error over all cells, regularisation penalty. */
  readonly partials: Float64Array;
}

let explicitWork: ExplicitScratch | undefined;
let implicitWork: ImplicitScratch | undefined;

function explicitWorkFor(k: number, maxSessions: number): ExplicitScratch {
  if (explicitWork?.k !== k) explicitWork = new ExplicitScratch(k, maxSessions);
  explicitWork.reserveSessions(maxSessions);
  return explicitWork;
}

function implicitWorkFor(k: number): ImplicitScratch {
  if (implicitWork?.k !== k) implicitWork = new ImplicitScratch(k);
  return implicitWork;
}

/** Every kernel by name, for the executors (a worker receives the name, not the function). */
export const kernels = {
  explicitRows(args: ExplicitRowsArgs, chunk: number): void {
    const { side, offsets, indices, values, factors, biases, sessions, sessionStarts } = args;
    const scratch = explicitWorkFor(side.k, args.maxSessions);
    for (let row = args.chunkStarts[chunk]; row < args.chunkStarts[chunk + 1]; row++) {
      const first = sessionStarts ? sessionStarts[row] : 0;
      const count = sessionStarts ? sessionStarts[row + 1] - first : 0;
      solveExplicitRow(
        side,
        indices,
        values,
        offsets[row],
        offsets[row + 1],
        factors,
        biases,
        row,
        sessions,
        sessionStarts !== undefined,
        first,
        count,
        scratch,
      );
    }
  },

  // The explicit model's y step (implicit-feedback.ts).
  explicitFeedbackRhs: feedbackRhs,
  explicitFeedbackUserSums: feedbackUserSums,
  explicitFeedbackProduct: feedbackProduct,
  explicitFeedbackUpdate: feedbackUpdate,

  implicitRows(args: ImplicitRowsArgs, chunk: number): void {
    const { side, offsets, indices, weights, targets, factors, cgSteps, chunkStarts } = args;
    const scratch = implicitWorkFor(side.k);
    for (let row = chunkStarts[chunk]; row < chunkStarts[chunk + 1]; row++) {
      const start = offsets[row];
      const end = offsets[row + 1];
      if (cgSteps > 0) {
        refineImplicitRow(
          side,
          indices,
          weights,
          targets,
          start,
          end,
          factors,
          row,
          cgSteps,
          scratch,
        );
      } else {
        solveImplicitRow(side, indices, weights, targets, start, end, factors, row, scratch);
      }
    }
  },

  gram(args: GramArgs, chunk: number): void {
    const { k, factors, scale, partials, chunkStarts } = args;
    const partial = partials.subarray(chunk * k * k, (chunk + 1) * k * k);
    partial.fill(0);
    addGramRows(
      partial,
      factors,
      k,
      chunkStarts[chunk],
      chunkStarts[chunk + 1],
      scale,
      args.rowWeights,
      implicitWorkFor(k),
    );
  },

  rotate(args: RotateArgs, chunk: number): void {
    const { k, factors, rotation, chunkStarts } = args;
    rotateRows(
      factors,
      k,
      rotation,
      chunkStarts[chunk],
      chunkStarts[chunk + 1],
      implicitWorkFor(k),
    );
  },

  explicitLoss(args: ExplicitLossArgs, chunk: number): void {
    const { side, offsets, indices, values, factors, biases, partials, chunkStarts, sessions } =
      args;
    const { k, globalMean, fixedFactors, fixedBiases } = side;
    let squaredError = 0;
    let penalty = 0;
    for (let row = chunkStarts[chunk]; row < chunkStarts[chunk + 1]; row++) {
      const start = offsets[row];
      const end = offsets[row + 1];
      const out = row * k;
      for (let q = start; q < end; q++) {
        const j = indices[q];
        const base = j * k;
        let dot = 0;
        for (let d = 0; d < k; d++) dot += factors[out + d] * fixedFactors[base + d];
        const session = sessions ? sessions.biases[sessions.ofRating[q]] : 0;
        const e = values[q] - globalMean - biases[row] - session - fixedBiases[j] - dot;
        squaredError += e * e;
      }
      // With implicit feedback the user factors are penalised for their distance to z.
      const prior = side.implicitFactors ? explicitWorkFor(k, 0).prior : undefined;
      if (prior && side.implicitFactors) {
        implicitPrior(side.implicitFactors, k, indices, start, end, prior);
      }
      let norm = 0;
      for (let d = 0; d < k; d++) {
        const x = factors[out + d] - (prior ? prior[d] : 0);
        norm += x * x;
      }
      const count = end - start;
      penalty +=
        side.regularization * count ** side.frequencyExponent * norm +
        side.biasRegularization * count ** side.biasFrequencyExponent * biases[row] ** 2;
    }
    partials[2 * chunk] = squaredError;
    partials[2 * chunk + 1] = penalty;
  },

  implicitLoss(args: ImplicitLossArgs, chunk: number): void {
    const { side, offsets, indices, weights, targets, factors, partials, chunkStarts } = args;
    implicitRowsLoss(
      side,
      offsets,
      indices,
      weights,
      targets,
      factors,
      chunkStarts[chunk],
      chunkStarts[chunk + 1],
      partials.subarray(2 * chunk, 2 * chunk + 2),
    );
  },
};

/** The name of a kernel in {@link kernels}. */
export type KernelName = keyof typeof kernels;

/** The arguments kernel `K` takes. */
export type KernelArgs<K extends KernelName> = Parameters<(typeof kernels)[K]>[0];
