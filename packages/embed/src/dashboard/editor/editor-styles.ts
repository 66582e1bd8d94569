import { css } from 'lit';

/** The editor's own layout, on top of the dashboard's styles (tiles, tables, KPIs, errors). */
export const editorStyles = css`
  .editor, .editor-main { display: flex; flex-direction: column; gap: var(--_gap); }
  .editor-loading { position: relative; height: 240px; }
  .toolbar {
    position: sticky; top: 0; z-index: 5; display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 8px;
    padding: 8px 12px; background: var(--_tile-bg); border: 1px solid var(--_border); border-radius: var(--_radius);
  }
  .toolbar-note { margin: 0; color: var(--_muted); font-size: 0.9rem; }
  .unsaved { color: var(--_fg); font-weight: 600; }
  .toolbar-actions, .dialog-actions, .builder-actions { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
  button { cursor: pointer; }
  button.primary { background: var(--_accent); border-color: var(--_accent); color: var(--_on-accent, #fff); font-weight: 600; }
  :host([theme='dark']) button.primary { color: #0d0f12; }
  button.danger { color: var(--_danger); border-color: var(--_danger); }
  button.primary.danger { background: var(--_danger); border-color: var(--_danger); color: #fff; }
  :host([theme='dark']) button.primary.danger { color: #0d0f12; }
  button.icon { padding: 2px 8px; }
  .notice { margin: 0; color: var(--_danger); font-weight: 600; }
  .hint { margin: 0; color: var(--_muted); font-size: 0.85rem; }
  .settings { display: flex; flex-direction: column; gap: 10px; padding: 12px; border: 1px solid var(--_border); border-radius: var(--_radius); background: var(--_tile-bg); }
  .settings-row { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
  .field { display: flex; flex-direction: column; gap: 4px; font-size: 0.8rem; color: var(--_muted); min-width: 10rem; }
  .field.grow { flex: 1 1 16rem; }
  .field input, .field select { font-size: 0.9rem; }
  input[type='text'] {
    font: inherit; color: var(--_fg); background: var(--_bg); border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) / 2); padding: 5px 8px; box-sizing: border-box; width: 100%;
  }
  fieldset { border: 1px solid var(--_border); border-radius: calc(var(--_radius) / 2); margin: 0; padding: 6px 10px 8px; min-width: 0; }
  legend { font-size: 0.8rem; color: var(--_muted); padding: 0 4px; }
  .pickers-field { flex: 1 1 16rem; position: relative; }
  .pickers-edit summary {
    cursor: pointer; color: var(--_fg); background: var(--_tile-bg); font-size: 0.9rem; list-style: none;
    border: 1px solid var(--_border); border-radius: calc(var(--_radius) / 2); padding: 4px 28px 4px 8px; position: relative;
    white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
  }
  .pickers-edit summary::-webkit-details-marker { display: none; }
  .pickers-edit summary::after { content: '▾'; position: absolute; right: 8px; color: var(--_muted); }
  .pickers-edit summary:focus-visible { outline: 2px solid var(--_accent); outline-offset: 2px; }
  .picker-options {
    display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); gap: 2px 12px; margin-top: 4px; padding: 8px;
    border: 1px solid var(--_border); border-radius: calc(var(--_radius) / 2); background: var(--_tile-bg);
  }
  .check, .type { display: inline-flex; align-items: center; gap: 6px; font-size: 0.9rem; color: var(--_fg); padding: 2px 0; }
  .members { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); gap: 2px 12px; }
  .types { display: flex; flex-wrap: wrap; gap: 4px 14px; }
  .row { display: flex; gap: 12px; flex-wrap: wrap; }
  .grid-bar { display: flex; flex-wrap: wrap; align-items: center; gap: 12px; }
  .grid-bar .hint { flex: 1 1 20rem; }
  .grid-empty { border: 2px dashed var(--_border); border-radius: var(--_radius); padding: 32px; text-align: center; color: var(--_muted); }
  .grid-empty p { margin: 4px 0; }
  .edit-tile { gap: 4px; overflow: hidden; border-style: dashed; }
  .edit-tile:focus-visible, .edit-tile[data-dragging] { outline: 2px solid var(--_accent); outline-offset: 2px; border-style: solid; }
  .edit-tile[data-dragging] { opacity: 0.85; box-shadow: 0 6px 24px rgb(0 0 0 / 0.18); z-index: 2; }
  .edit-tile .tile-head { justify-content: flex-start; }
  .edit-tile .tile-title { flex: 1; margin: 0; }
  .edit-tile .tile-actions { margin: 0; }
  .drag-handle { cursor: grab; user-select: none; touch-action: none; color: var(--_muted); font-size: 1.1rem; padding: 0 4px; line-height: 1; }
  .tile-kind { font-size: 0.75rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--_accent); }
  .tile-query { margin: 0; font-size: 0.8rem; color: var(--_muted); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  .edit-tile .tile-body { margin-top: 4px; }
  .edit-tile .preview-body { position: relative; height: 100%; min-height: 48px; }
  .layout-menu { margin-top: auto; font-size: 0.8rem; }
  .layout-menu summary { cursor: pointer; color: var(--_muted); width: max-content; }
  .nudges { display: flex; flex-wrap: wrap; gap: 4px; margin-top: 4px; }
  .nudges button { font-size: 0.75rem; padding: 2px 6px; min-width: 2rem; }
  .resize-handle {
    position: absolute; right: 0; bottom: 0; width: 18px; height: 18px; cursor: nwse-resize; touch-action: none;
    background: linear-gradient(135deg, transparent 50%, var(--_muted) 50%, var(--_muted) 60%, transparent 60%, transparent 70%, var(--_muted) 70%, var(--_muted) 80%, transparent 80%);
  }
  /* The builder: a panel on the right on wide screens, a full-width sheet on phones. */
  .sheet-backdrop, .dialog-backdrop { position: fixed; inset: 0; z-index: 60; background: rgb(0 0 0 / 0.35); }
  .builder {
    position: fixed; z-index: 61; top: 0; right: 0; bottom: 0; width: min(920px, 100vw); box-sizing: border-box;
    display: flex; flex-direction: column; background: var(--_tile-bg); color: var(--_fg);
    border-left: 1px solid var(--_border); box-shadow: -8px 0 32px rgb(0 0 0 / 0.2);
  }
  .builder-head { display: flex; align-items: center; justify-content: space-between; padding: 12px 16px; border-bottom: 1px solid var(--_border); }
  .builder-head h3 { margin: 0; font-size: 1.05rem; }
  .builder-body { flex: 1; overflow: auto; padding: 12px 16px; display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 16px; align-items: start; }
  .builder-form { display: flex; flex-direction: column; gap: 12px; min-width: 0; }
  /* The preview stays in view beside the form while the maker scrolls through members. */
  .builder .preview { position: sticky; top: 0; border-top: none; padding-top: 0; }
  .builder-actions { padding: 12px 16px; border-top: 1px solid var(--_border); }
  .builder-actions .hint { flex-basis: 100%; }
  .filter-row { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin-bottom: 6px; }
  .filter-row input { flex: 1 1 6rem; width: auto; }
  .preview { border-top: 1px solid var(--_border); padding-top: 8px; }
  .preview h4 { margin: 0 0 8px; font-size: 0.85rem; color: var(--_muted); font-weight: 600; }
  .preview .preview-body { position: relative; height: 260px; overflow: auto; }
  .preview-body tc-chart { display: block; height: 100%; }
  .dialog {
    position: fixed; z-index: 71; top: 50%; left: 50%; transform: translate(-50%, -50%); width: min(28rem, calc(100vw - 32px)); box-sizing: border-box;
    display: flex; flex-direction: column; gap: 12px; padding: 20px; background: var(--_tile-bg); color: var(--_fg);
    border: 1px solid var(--_border); border-radius: var(--_radius); box-shadow: 0 12px 40px rgb(0 0 0 / 0.3);
  }
  .dialog-backdrop { z-index: 70; }
  .dialog h3 { margin: 0; font-size: 1.05rem; }
  .dialog p { margin: 0; color: var(--_muted); }
  @container (max-width: 600px) {
    .toolbar { position: static; }
    .toolbar-actions { width: 100%; }
    .toolbar-actions button { flex: 1 1 auto; }
    .edit-tile { grid-column: 1 / -1; grid-row: auto / span var(--_h); }
    .editor-grid { grid-auto-rows: minmax(var(--_row-height), auto); }
    .resize-handle, .drag-handle { display: none; }
    .field, .field.grow { flex: 1 1 100%; }
    .grid-bar button { width: 100%; }
  }
  @media (max-width: 760px) {
    .builder { width: 100vw; border-left: none; }
    .builder-body { grid-template-columns: minmax(0, 1fr); }
    /* On a phone the preview comes first and stays at the top while the form scrolls under it. */
    .builder .preview { order: -1; z-index: 1; top: -12px; margin-top: -12px; padding-top: 12px; background: var(--_tile-bg); border-bottom: 1px solid var(--_border); padding-bottom: 8px; }
    .builder .preview .preview-body { height: 170px; }
  }
`;
