/**
 * Node-side entry of `@perch/embed` (no DOM): the built assets for the server, and the types of
 * the HTTP contract the components speak. The browser entry is `./perch.ts`.
 */
export { loadEmbedAssets, defaultDistDir, type EmbedAssets, type EmbedAsset } from './server-assets.js';
export type * from './types.js';
