import type { TemplateResult } from 'lit';
import { dialogView } from './dialog-view.js';

/** The editor's questions: discard, the save conflict and its reload, delete, and "Save as new". */
export type EditorDialog = { kind: 'discard' } | { kind: 'conflict' } | { kind: 'reload' } | { kind: 'delete' } | { kind: 'save-as'; title: string };

export interface EditorDialogActions {
  keepEditing: () => void;
  discard: () => void;
  askReload: () => void;
  reload: () => void;
  remove: () => void;
  saveAs: (title: string) => void;
  setTitle: (title: string) => void;
}

/**
 * One of the editor's dialogs, in words a maker reads. A conflict never reloads at once: the
 * reload discards the maker's edits, so it asks a second time.
 *
 * @example
 * editorDialogView({ kind: 'delete' }, 'Sales', actions);
 */
export function editorDialogView(dialog: EditorDialog, title: string, actions: EditorDialogActions): TemplateResult {
  const keepEditing = { label: 'Keep editing', onPress: actions.keepEditing };
  switch (dialog.kind) {
    case 'discard':
      return dialogView({
        id: 'discard',
        title: 'Discard your changes?',
        body: 'The dashboard stays as it was last saved.',
        actions: [{ label: 'Discard changes', primary: true, danger: true, onPress: actions.discard }, keepEditing],
        onDismiss: actions.keepEditing,
      });
    case 'conflict':
      return dialogView({
        id: 'conflict',
        title: 'Someone saved this dashboard after you opened it',
        body: 'Reload it to see their version, or keep editing and save yours as a new dashboard.',
        actions: [{ label: 'Reload', primary: true, onPress: actions.askReload }, keepEditing],
        onDismiss: actions.keepEditing,
      });
    case 'reload':
      return dialogView({
        id: 'reload',
        title: 'Reload and discard your edits?',
        body: 'Your unsaved changes will be lost.',
        actions: [{ label: 'Reload and discard', primary: true, danger: true, onPress: actions.reload }, keepEditing],
        onDismiss: actions.keepEditing,
      });
    case 'delete':
      return dialogView({
        id: 'delete',
        title: `Delete “${title}”?`,
        body: 'Everyone in your organisation loses this dashboard. This cannot be undone.',
        actions: [{ label: 'Delete dashboard', primary: true, danger: true, onPress: actions.remove }, { label: 'Keep it', onPress: actions.keepEditing }],
        onDismiss: actions.keepEditing,
      });
    case 'save-as':
      return dialogView({
        id: 'save-as',
        title: 'Save as a new dashboard',
        body: 'The copy belongs to your organisation; the original stays as it is.',
        field: { label: 'Title', value: dialog.title, onInput: actions.setTitle },
        actions: [{ label: 'Save copy', primary: true, onPress: () => actions.saveAs(dialog.title) }, { label: 'Cancel', onPress: actions.keepEditing }],
        onDismiss: actions.keepEditing,
      });
  }
}
