/**
 * `<tc-dashboard>`, `<tc-dashboard-list>` and `<tc-ai-assistant>` in React's JSX (React 18.2+ and 19 types):
 * add `/// <reference types="@perch/embed/react" />` (or include this file) in the project.
 */
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { PerchIntrinsicElements } from '../src/elements.js';

type PerchReactElement<K extends keyof PerchIntrinsicElements> = Omit<DetailedHTMLProps<HTMLAttributes<HTMLElement>, HTMLElement>, keyof PerchIntrinsicElements[K]> & PerchIntrinsicElements[K];

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'tc-dashboard': PerchReactElement<'tc-dashboard'>;
      'tc-dashboard-list': PerchReactElement<'tc-dashboard-list'>;
      'tc-ai-assistant': PerchReactElement<'tc-ai-assistant'>;
    }
  }
}
