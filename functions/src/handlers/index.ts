export * from './ingest-rating.js';
export * from './rate-movie.js';
export * from './republish-users.js';
export * from './retrain-model.js';
