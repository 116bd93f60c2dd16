export * from './api.js';
export * from './ingest-rating.js';
export * from './republish-users.js';
export * from './retrain-model.js';
