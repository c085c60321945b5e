import { useEffect, useRef } from 'react';
import { useClient } from '../clientContext';
import { commandForKey, commands, goToPageId, runCommand, setShortcutsOpen, useShortcutsDialog } from '../commands';
import { TOAST_MS, useToasts, type Toast } from '../state/toasts';
import './app.css';

// What every page shares besides the navigation: keyboard shortcuts and their list, toasts, and the desktop menu's
// commands (which arrive as `app.menu` events). Keys, list and menu all go through the command registry (commands/).

export function AppChrome() {
  useKeyboardShortcuts();
  useMenuCommands();
  return (
    <>
      <ShortcutsDialog />
      <Toasts />
    </>
  );
}

function useKeyboardShortcuts(): void {
  const chordAt = useRef<number | null>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.repeat) return;
      const target = e.target instanceof HTMLElement ? e.target : null;
      const outcome = commandForKey({ key: e.key, ctrlKey: e.ctrlKey, metaKey: e.metaKey, altKey: e.altKey, target, timeStamp: e.timeStamp }, chordAt.current);
      chordAt.current = outcome?.type === 'chord' ? e.timeStamp : null;
      if (outcome?.type !== 'run') return;
      e.preventDefault();
      outcome.command.run?.();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

function useMenuCommands(): void {
  const client = useClient();
  useEffect(
    () =>
      client.on('app.menu', (c) => {
        // a page this renderer does not know is ignored (runCommand finds no command)
        if (c.action === 'go') runCommand(goToPageId(c.page ?? ''));
        else runCommand(c.action === 'shortcuts' ? 'app.shortcuts' : 'page.export');
      }),
    [client],
  );
}

function ShortcutsDialog() {
  const open = useShortcutsDialog((s) => s.open);
  const ref = useRef<HTMLDialogElement>(null);
  // every command with keys, in the registry's order (commands reached from the menu only have none)
  const listed = commands().filter((c) => c.keys.length > 0);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} className="shortcuts-dialog" aria-labelledby="shortcuts-title" onClose={() => setShortcutsOpen(false)} onCancel={() => setShortcutsOpen(false)}>
      <div className="panel-head">
        <h2 id="shortcuts-title">Keyboard shortcuts</h2>
        <button type="button" onClick={() => setShortcutsOpen(false)} aria-label="Close">
          ×
        </button>
      </div>
      <table className="grid shortcuts-table" aria-label="Shortcuts">
        <tbody>
          {listed.map((s) => (
            <tr key={s.id}>
              <td>
                {s.keys.map((k, i) => (
                  <span key={k}>
                    {i > 0 && <span className="muted"> or </span>}
                    <kbd>{k}</kbd>
                  </span>
                ))}
              </td>
              <td>{s.label}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">Shortcuts do nothing while you type in a field or the SQL editor.</p>
    </dialog>
  );
}

function Toasts() {
  const toasts = useToasts((s) => s.toasts);
  return (
    <div role="status" aria-label="Notifications" className="toasts">
      {toasts.map((t) => (
        <ToastView key={t.id} toast={t} />
      ))}
    </div>
  );
}

function ToastView({ toast }: { toast: Toast }) {
  const dismiss = useToasts((s) => s.dismiss);
  const timer = useRef<number | undefined>(undefined);
  // auto-hides, except while the pointer or the keyboard focus is on it (someone is reading it)
  const arm = () => {
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => dismiss(toast.id), TOAST_MS);
  };
  const hold = () => window.clearTimeout(timer.current);
  useEffect(() => {
    arm();
    return hold;
  }, [toast.id]);
  return (
    <div className={`toast toast-${toast.kind}`} onMouseEnter={hold} onMouseLeave={arm} onFocus={hold} onBlur={arm}>
      <div className="toast-body">
        <strong>{toast.title}</strong>
        {toast.message && <span>{toast.message}</span>}
      </div>
      {toast.action && (
        <button
          type="button"
          className="small toast-action"
          aria-label={`${toast.action.label}: ${toast.title}`}
          onClick={() => {
            toast.action?.run();
            dismiss(toast.id);
          }}
        >
          {toast.action.label}
        </button>
      )}
      <button type="button" className="toast-close" aria-label={`Dismiss: ${toast.title}`} onClick={() => dismiss(toast.id)}>
        ×
      </button>
    </div>
  );
}
