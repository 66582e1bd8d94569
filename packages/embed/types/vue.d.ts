/**
 * `<tc-dashboard>`, `<tc-dashboard-list>` and `<tc-ai-assistant>` in Vue templates (vue-tsc / Volar): include this file in
 * the project. Also tell Vue's compiler they are custom elements (`isCustomElement: (tag) => tag.startsWith('tc-')`).
 */
import type { PerchElementProperties, PerchVueEventProps, TcAiAssistantAttributes, TcDashboardAttributes, TcDashboardListAttributes } from '../src/elements.js';

/** A custom element as Vue's template checker reads a global component: a constructor with `$props`. */
type PerchVueElement<Attributes> = new () => { $props: Attributes & PerchElementProperties & PerchVueEventProps };

declare module 'vue' {
  interface GlobalComponents {
    'tc-dashboard': PerchVueElement<TcDashboardAttributes>;
    'tc-dashboard-list': PerchVueElement<TcDashboardListAttributes>;
    'tc-ai-assistant': PerchVueElement<TcAiAssistantAttributes>;
  }
}
