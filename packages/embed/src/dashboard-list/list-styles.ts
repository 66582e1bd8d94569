import { css } from 'lit';
import { themeTokens } from '../theme.js';

const layout = css`
  :host {
    display: block;
    container-type: inline-size;
    font-family: var(--_font);
    color: var(--_fg);
    background: var(--_bg);
  }
  [hidden] { display: none !important; }
  .head { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 8px; margin-bottom: 8px; }
  h2 { font-size: 1rem; margin: 0; }
  button {
    font: inherit; color: var(--_fg); background: var(--_tile-bg);
    border: 1px solid var(--_border); border-radius: calc(var(--_radius) / 2); padding: 4px 10px; cursor: pointer;
  }
  button:focus-visible, input:focus-visible { outline: 2px solid var(--_accent); outline-offset: 2px; }
  button.create { background: var(--_accent); border-color: var(--_accent); color: var(--_bg); font-weight: 600; }
  .search { display: block; margin-bottom: 8px; }
  .search input {
    width: 100%; box-sizing: border-box; font: inherit; color: var(--_fg); background: var(--_tile-bg);
    border: 1px solid var(--_border); border-radius: calc(var(--_radius) / 2); padding: 6px 8px;
  }
  .group + .group { margin-top: 12px; }
  h3 { font-size: 0.75rem; font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em; color: var(--_muted); margin: 0 0 4px; }
  ul { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 2px; }
  button.item {
    display: flex; flex-direction: column; align-items: stretch; gap: 2px; width: 100%; text-align: left;
    border: 1px solid transparent; border-left-width: 3px; background: transparent; padding: 6px 8px;
    border-radius: calc(var(--_radius) / 2);
  }
  button.item:hover { background: color-mix(in srgb, var(--_fg) 6%, transparent); }
  button.item[aria-current='page'] { border-left-color: var(--_accent); background: color-mix(in srgb, var(--_accent) 12%, var(--_bg)); }
  .item-title { font-weight: 600; overflow-wrap: anywhere; }
  /* Two lines at most: a long description must not push the other entries out of a sidebar. */
  .item-description {
    font-size: 0.85rem; color: var(--_muted); overflow: hidden;
    display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow-wrap: anywhere;
  }
  .meta { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 8px; font-size: 0.75rem; color: var(--_muted); }
  .badge { border: 1px solid var(--_accent); color: var(--_fg); border-radius: 999px; padding: 0 6px; line-height: 1.4; }
  .empty, .no-match { color: var(--_muted); font-size: 0.9rem; margin: 8px 0; }
  .empty { display: flex; flex-direction: column; align-items: flex-start; gap: 8px; }
  .empty p, .no-match { margin: 0; }
  .error { display: flex; flex-direction: column; align-items: flex-start; gap: 6px; font-size: 0.9rem; }
  .error p { margin: 0; }
  .error .sentence { color: var(--_danger); font-weight: 600; }
  .error small { color: var(--_muted); font-size: 0.75rem; overflow-wrap: anywhere; }
  .error code { font-family: ui-monospace, monospace; }
  .skeleton { display: flex; flex-direction: column; gap: 8px; }
  .skeleton span { display: block; height: 2.6rem; border-radius: calc(var(--_radius) / 2); background: var(--_skeleton); }
  .skeleton span:nth-child(2n) { width: 85%; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  /* A narrow sidebar: titles only, the button on its own line. The element's width decides,
     not the viewport's, since a sidebar is narrow on any screen. */
  @container (max-width: 180px) {
    .item-description { display: none; }
    .head { flex-direction: column; align-items: stretch; }
    button.create { width: 100%; }
  }
`;

export const listStyles = [themeTokens, layout];
