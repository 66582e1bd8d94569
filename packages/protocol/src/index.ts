export * from './errors.js';
export * from './roles.js';
export * from './attributes.js';
export * from './zod-errors.js';
export * from './token.js';
export * from './query.js';
export * from './deep-freeze.js';
export * from './json-source.js';
