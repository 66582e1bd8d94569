/**
 * Run the demo host on its own: `PERCH_API_KEY=pk_test_… node --import tsx examples/demo-host/src/main.ts`.
 * `npm start` at the repository root starts it together with Perch.
 */
import { startDemoHost } from './index.js';

const host = await startDemoHost({
  port: Number(process.env.DEMO_HOST_PORT ?? process.env.PORT ?? 3000),
  host: process.env.DEMO_HOST_HOST ?? '127.0.0.1',
  perchUrl: process.env.PERCH_URL ?? 'http://127.0.0.1:4100',
  apiKey: process.env.PERCH_API_KEY,
});
console.log(`Demo host: ${host.url}`);
const stop = () => void host.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
