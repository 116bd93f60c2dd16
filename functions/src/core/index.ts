export * from './logger.js';
export * from './rate-limiter.js';
export * from './recommendations.js';
export * from './version.js';
