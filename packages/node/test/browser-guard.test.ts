import { afterEach, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';

afterEach(() => {
  delete (globalThis as { window?: unknown }).window;
  delete (globalThis as { document?: unknown }).document;
  vi.resetModules();
});

describe('@perch/node outside a server', () => {
  it('throws at import when a window global exists', async () => {
    vi.resetModules();
    (globalThis as { window?: unknown }).window = {};
    await expect(import('../src/index.js')).rejects.toThrow(/must only run on your server/);
  });

  it('throws at import when a document global exists', async () => {
    vi.resetModules();
    (globalThis as { document?: unknown }).document = {};
    await expect(import('../src/index.js')).rejects.toThrow(/API key/);
  });

  it('imports cleanly on a server', async () => {
    vi.resetModules();
    const sdk = await import('../src/index.js');
    expect(typeof sdk.createPerchClient).toBe('function');
  });

  it('points the browser condition at a module that throws', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { exports: { '.': { browser: string } }; browser: string };
    expect(pkg.browser).toBe(pkg.exports['.'].browser);
    // The package points at its compiled dist/; here, its source twin (pack-install.test.ts
    // imports the built file from an installed tarball under the browser condition).
    expect(pkg.browser).toMatch(/^\.\/dist\/[\w-]+\.js$/);
    const source = pkg.browser.replace(/^\.\/dist\/([\w-]+)\.js$/, './src/$1.ts');
    vi.resetModules();
    await expect(import(new URL(`../${source}`, import.meta.url).href)).rejects.toThrow(/bundled for a browser/);
  });
});
