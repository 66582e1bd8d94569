import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

/*
 * Compiles a React (TSX) and a Vue (global components) project against Perch's element
 * declarations with the real TypeScript compiler. Neither framework is a Perch dependency, so the
 * project gets the few declarations of each that the element types plug into, shaped as in
 * @types/react (`React.JSX`, `DetailedHTMLProps`) and in vue (`GlobalComponents`).
 * Each invalid use is marked `@ts-expect-error`: an unused one is itself an error, so a
 * declaration that accepted the bad use would fail this test, as would one refusing a good use.
 */
const embedRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'perch-element-types-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const REACT_SHAPE = `
export interface HTMLAttributes<T> { id?: string; className?: string; children?: unknown; onClick?: (event: MouseEvent) => void }
export interface ClassAttributes<T> { ref?: { current: T | null } }
export type DetailedHTMLProps<E, T> = ClassAttributes<T> & E;
export function createElement(type: unknown, props?: unknown, ...children: unknown[]): JSX.Element;
export namespace JSX {
  interface Element {}
  interface IntrinsicAttributes { key?: string | number }
  interface IntrinsicElements { div: DetailedHTMLProps<HTMLAttributes<HTMLDivElement>, HTMLDivElement> }
}
`;
const VUE_SHAPE = 'export interface GlobalComponents {}\n';

const REACT_APP = `
import * as React from 'react';
export const page = (
  <div>
    <tc-dashboard dashboard="sales" theme="auto" api-base="https://perch.example.com" locale="de-DE" className="board"
      fetchToken={async ({ current } = { current: undefined }) => current ?? 'token'}
      ontc-error={(event) => { const code: string = event.detail.code; return code; }}
      ontc-ready={(event) => event.detail.durationMs} />
    <tc-ai-assistant theme="dark" ontc-answer={(event) => event.detail.question.toUpperCase()} />
    <tc-dashboard-list selected="sales" heading="Reports" theme="auto" api-base="https://perch.example.com"
      ontc-dashboard-select={(event) => { const id: string = event.detail.id; return event.detail.editable ? id : event.detail.source; }}
      ontc-dashboard-create={(event) => event.detail} />
  </div>
);
// @ts-expect-error the list takes no dashboard attribute
export const listDashboard = <tc-dashboard-list dashboard="sales" />;
// @ts-expect-error tc-dashboard-select's detail has no such field
export const badSelect = <tc-dashboard-list ontc-dashboard-select={(event) => event.detail.title} />;
// @ts-expect-error theme is light, dark or auto
export const badTheme = <tc-dashboard dashboard="sales" theme="blue" />;
// @ts-expect-error dashboard is required
export const noDashboard = <tc-dashboard />;
// @ts-expect-error a misspelt attribute
export const misspelt = <tc-dashboard dashboard="sales" dashbaord="sales" />;
// @ts-expect-error fetchToken resolves to a string
export const badFetch = <tc-dashboard dashboard="sales" fetchToken={async () => 42} />;
// @ts-expect-error tc-error's detail has no such field
export const badDetail = <tc-dashboard dashboard="sales" ontc-error={(event) => event.detail.sql} />;
`;

const VUE_APP = `
import type { GlobalComponents } from 'vue';
type Props<K extends keyof GlobalComponents> = InstanceType<GlobalComponents[K]>['$props'];
export const board: Props<'tc-dashboard'> = { dashboard: 'sales', theme: 'auto', onTcError: (event) => event.detail.code, onTcTokenExpired: (event) => event.detail.willRefresh };
export const assistant: Props<'tc-ai-assistant'> = { onTcAnswer: (event) => event.detail.result.answer };
export const list: Props<'tc-dashboard-list'> = { selected: 'sales', onTcDashboardSelect: (event) => event.detail.id, onTcReady: (event) => event.detail.durationMs };
// @ts-expect-error theme is light, dark or auto
export const badListTheme: Props<'tc-dashboard-list'> = { theme: 'sepia' };
// @ts-expect-error theme is light, dark or auto
export const badTheme: Props<'tc-dashboard'> = { dashboard: 'sales', theme: 'blue' };
// @ts-expect-error tc-ready's detail has no such field
export const badReady: Props<'tc-dashboard'> = { dashboard: 'sales', onTcReady: (event) => event.detail.rows };
`;

function write(path: string, text: string): string {
  const full = join(dir, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text);
  return full;
}

function diagnostics(files: string[]): string[] {
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    jsx: ts.JsxEmit.React,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    types: [],
    skipLibCheck: false,
    baseUrl: dir,
    paths: { react: [join(dir, 'shapes/react.d.ts')], vue: [join(dir, 'shapes/vue.d.ts')] },
  });
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

describe('typed declarations of <tc-dashboard>, <tc-dashboard-list> and <tc-ai-assistant>', () => {
  it('type-check a React and a Vue project (attributes, fetchToken, event details), refuse every bad use, and nothing else', () => {
    write('shapes/react.d.ts', REACT_SHAPE);
    write('shapes/vue.d.ts', VUE_SHAPE);
    const files = [
      write('react-app.tsx', REACT_APP),
      write('vue-app.ts', VUE_APP),
      // One unmarked bad use: proves the compiler does report through these declarations.
      write('react-wrong.tsx', `import * as React from 'react';\nexport const x = <tc-dashboard dashboard="sales" theme="blue" />;\n`),
      join(embedRoot, 'types/react.d.ts'),
      join(embedRoot, 'types/vue.d.ts'),
    ];
    // One program for both: the element types pull in the protocol's types, which take a while to check.
    const found = diagnostics(files);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/react-wrong\.tsx: .*"blue"/s);
  });
});
