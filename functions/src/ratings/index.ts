export * from './last-write-wins.js';
export * from './user-ratings.js';
