export * from './list-metrics.js';
