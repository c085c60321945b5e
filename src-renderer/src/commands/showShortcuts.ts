import { create } from 'zustand';
import { register } from './registry';

export const useShortcutsDialog = create<{ open: boolean; setOpen(open: boolean): void }>()((set) => ({
  open: false,
  setOpen: (open) => set({ open }),
}));

// "?" or Ctrl+/ in the app; Help › Keyboard shortcuts in the desktop menu.
register({
  id: 'app.shortcuts',
  label: 'Show this list of keyboard shortcuts',
  keys: ['?', 'Ctrl+/'],
  run: () => useShortcutsDialog.getState().setOpen(true),
});
