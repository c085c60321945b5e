import { create } from 'zustand';
import { register } from './registry';

export const useShortcutsDialog = create<{ open: boolean }>()(() => ({ open: false }));

export function setShortcutsOpen(open: boolean): void {
  useShortcutsDialog.setState({ open });
}

// "?" or Ctrl+/ in the app; Help › Keyboard shortcuts in the desktop menu.
register({
  id: 'app.shortcuts',
  label: 'Show this list of keyboard shortcuts',
  keys: ['?', 'Ctrl+/'],
  run: () => setShortcutsOpen(true),
});
