import { css } from 'lit';

/** Dark defaults, used by `theme="dark"` and by `theme="auto"` when the OS prefers dark. */
const darkTokens = css`
  --_accent: var(--tc-accent, #6ea0ff);
  --_bg: var(--tc-bg, #14171c);
  --_fg: var(--tc-fg, #e7eaee);
  --_muted: var(--tc-muted, #9aa5b1);
  --_border: var(--tc-border, #2c323b);
  --_danger: var(--tc-danger, #ff6b6b);
  --_up: var(--tc-up, #4cc38a);
  --_skeleton: var(--tc-skeleton, #222831);
  color-scheme: dark;
`;

/**
 * Theme tokens shared by every Perch component. Hosts override any `--tc-*` property on the
 * element (or an ancestor). The default is light, since a component sits inside a host page that
 * is light unless its author says otherwise: following the OS by default showed a dark block in a
 * light page. `theme="dark"` picks the dark defaults, `theme="auto"` follows the OS.
 */
export const themeTokens = css`
  :host {
    --_font: var(--tc-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    --_accent: var(--tc-accent, #2f6fed);
    --_bg: var(--tc-bg, #ffffff);
    --_fg: var(--tc-fg, #1b1f24);
    --_muted: var(--tc-muted, #5f6b7a);
    --_border: var(--tc-border, #dfe3e8);
    --_tile-bg: var(--tc-tile-bg, var(--_bg));
    --_radius: var(--tc-radius, 8px);
    --_gap: var(--tc-gap, 12px);
    --_row-height: var(--tc-row-height, 80px);
    --_danger: var(--tc-danger, #c62828);
    --_up: var(--tc-up, #1b7f4b);
    --_skeleton: var(--tc-skeleton, #eef1f4);
    /* Native controls (date pickers, selects) follow the component's theme, not the page's. */
    color-scheme: light;
  }
  :host([theme='dark']) {
    ${darkTokens}
  }
  @media (prefers-color-scheme: dark) {
    :host([theme='auto']) {
      ${darkTokens}
    }
  }
`;
