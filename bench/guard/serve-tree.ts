/**
 * One Perch of the paired guard (see `paired-guard.ts`), started from the tree given with that
 * tree's own code (`guard-perch.ts`). Prints one JSON line, `{ url, token, pid }`, and stays up
 * until its stdin closes, then drops its schema.
 *
 * Usage: node --import tsx bench/guard/serve-tree.ts <tree> <embedded|postgres>
 */
import { startGuardPerch } from './guard-perch.js';

const [tree, store] = process.argv.slice(2);
if (!tree || (store !== 'embedded' && store !== 'postgres')) throw new Error('usage: serve-tree <tree> <embedded|postgres>');
const perch = await startGuardPerch(tree, store);
process.stdout.write(`${JSON.stringify({ url: perch.url, token: perch.token, pid: process.pid })}\n`);

let closing = false;
process.stdin.on('end', () => {
  if (closing) return;
  closing = true;
  void perch.close().then(() => process.exit(0));
});
process.stdin.resume();
