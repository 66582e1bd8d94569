/** Types for ensure-chromium.mjs (plain JavaScript so that `npm test` checks the browser before loading anything else). */
export declare const DEFAULT_CHROMIUM_PATH: string;
export declare const INSTALL_COMMAND: string;
export interface EnsureChromiumDeps {
  env: Record<string, string | undefined>;
  defaultPath?: string;
  isExecutable: (path: string) => boolean;
  isRoot: () => boolean;
  hasCommand: (name: string) => boolean;
  run: (command: string, args: readonly string[], env: Record<string, string | undefined>) => number;
  print: (line: string) => void;
}
/** Ensure the browser tests' Chromium exists; 0 when it does (installed if needed), 1 after one explanatory line. */
export declare function ensureChromium(deps: EnsureChromiumDeps): number;
