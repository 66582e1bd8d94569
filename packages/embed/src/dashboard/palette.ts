import type { ChartPalette } from '../charts/chart-options.js';

/**
 * The chart colours of `element`'s current theme, read from its CSS tokens (so a host's
 * `--tc-*` overrides and `theme="dark"` reach the canvases too).
 *
 * @example
 * const palette = readPalette(this); // { fg: '#1b1f24', accent: '#2f6fed', … }
 */
export function readPalette(element: Element): ChartPalette {
  const style = getComputedStyle(element);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const accent = read('--_accent', '#2f6fed');
  return {
    fg: read('--_fg', '#1b1f24'),
    muted: read('--_muted', '#5f6b7a'),
    border: read('--_border', '#dfe3e8'),
    accent,
    font: read('--_font', 'sans-serif'),
    surface: read('--_tile-bg', '#ffffff'),
    series: [accent, '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#9c755f'],
  };
}
