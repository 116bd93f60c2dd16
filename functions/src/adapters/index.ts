export * from './auth.js';
export * from './bigquery.js';
export * from './clients.js';
export * from './firestore.js';
export * from './ingest-ports.js';
export * from './models.js';
export * from './pubsub.js';
export * from './storage.js';
