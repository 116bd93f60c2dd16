export type { Random, Ratings } from './types.js';
