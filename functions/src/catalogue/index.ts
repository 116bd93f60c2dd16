export * from './movies.js';
