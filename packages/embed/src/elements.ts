/*
 * Typed declarations of the elements for frameworks' template checkers: attributes,
 * properties and events in one place. `types/react.d.ts` and `types/vue.d.ts` register them with
 * React's and Vue's JSX/template types; this module itself needs neither framework.
 */
import type { FetchToken } from './client/embed-client.js';
import type { PerchEventMap } from './events.js';

export type PerchTheme = 'light' | 'dark' | 'auto';

/** Attributes of `<tc-dashboard>`. */
export interface TcDashboardAttributes {
  /** Dashboard id from the semantic model. */
  dashboard: string;
  /** Open the editor on a new, empty dashboard (makers and admins) when no `dashboard` is set. */
  new?: boolean;
  token?: string;
  'api-base'?: string;
  theme?: PerchTheme;
  locale?: string;
}

/** Attributes of `<tc-dashboard-list>`. */
export interface TcDashboardListAttributes {
  /** Id of the dashboard shown next to the list (highlighted, `aria-current`). */
  selected?: string;
  /** The list's heading; default "Dashboards". */
  heading?: string;
  token?: string;
  'api-base'?: string;
  theme?: PerchTheme;
  locale?: string;
}

/** Attributes of `<tc-ai-assistant>`. */
export interface TcAiAssistantAttributes {
  token?: string;
  'api-base'?: string;
  theme?: PerchTheme;
  locale?: string;
}

/** Properties (not attributes) every element takes. */
export interface PerchElementProperties {
  fetchToken?: FetchToken;
}

/** Event listeners as React 19 names them: `ontc-ready` listens for `tc-ready`. */
export type PerchReactEventProps = { [K in keyof PerchEventMap as `on${K}`]?: (event: PerchEventMap[K]) => void };

type Camel<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Capitalize<Head>}${Camel<Tail>}` : Capitalize<S>;

/** Event listeners as Vue's template checker names them: `@tc-ready` is `onTcReady`. */
export type PerchVueEventProps = { [K in keyof PerchEventMap as `on${Camel<K>}`]?: (event: PerchEventMap[K]) => void };

/** The elements with their attributes, properties and React-style listeners. */
export interface PerchIntrinsicElements {
  'tc-dashboard': TcDashboardAttributes & PerchElementProperties & PerchReactEventProps;
  'tc-dashboard-list': TcDashboardListAttributes & PerchElementProperties & PerchReactEventProps;
  'tc-ai-assistant': TcAiAssistantAttributes & PerchElementProperties & PerchReactEventProps;
}
