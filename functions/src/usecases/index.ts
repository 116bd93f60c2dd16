export * from './ports.js';
export * from './prune.js';
export * from './publish.js';
export * from './republish.js';
export * from './retrain.js';
export * from './rollback.js';
export * from './shard-message.js';
