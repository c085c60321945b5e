// The app's commands, registered in the order the shortcut list shows them.
import './showShortcuts';
import './goToPage';
import './componentKeys';
import './exportPage';

export { commandForKey, commands, runCommand, CHORD_MS, type Command, type KeyLike } from './registry';
export { goToPageId } from './goToPage';
export { setShortcutsOpen, useShortcutsDialog } from './showShortcuts';
export { usePageExport } from './exportPage';
