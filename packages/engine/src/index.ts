export type { GovernedSql, DialectName, SqlParameter } from './governed.js';
