export * from './rating-event.js';
