export * from './api.js';
export * from './ingest-rating.js';
export * from './republish.js';
export * from './retrain-model.js';
export * from './rollback.js';
