export * from './ingest-rating.js';
export * from './redrive-dead-letters.js';
