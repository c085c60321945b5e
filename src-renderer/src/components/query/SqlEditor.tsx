import { useEffect, useMemo, useRef } from 'react';
import CodeMirror from '@uiw/react-codemirror';
import { sql as sqlLanguage, PostgreSQL } from '@codemirror/lang-sql';
import { Prec, StateEffect, StateField, type Extension } from '@codemirror/state';
import { Decoration, EditorView, keymap, type DecorationSet } from '@codemirror/view';
import type { SchemaView } from '../../../../src-main/contract/query';
import { useResolvedTheme } from '../../state/display';

/** What Run sends: the selected text and where it starts, or null for the whole editor. */
export type RunSelection = { text: string; from: number } | null;

export function selectionOf(view: EditorView | null): RunSelection {
  const sel = view?.state.selection.main;
  if (!view || !sel || sel.empty) return null;
  const text = view.state.sliceDoc(sel.from, sel.to);
  return text.trim() ? { text, from: sel.from } : null;
}

// The error's position: a wavy underline on the range the error points at.
const setErrorMark = StateEffect.define<{ from: number; to: number } | null>();
const errorMark = Decoration.mark({ class: 'cm-query-error', attributes: { title: 'The error points here' } });
const errorField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, tr) {
    let next = marks.map(tr.changes);
    for (const e of tr.effects) {
      if (!e.is(setErrorMark)) continue;
      const r = e.value;
      const len = tr.state.doc.length;
      next = r && r.from < len && r.to > r.from ? Decoration.set([errorMark.range(Math.max(0, r.from), Math.min(len, r.to))]) : Decoration.none;
    }
    // an edit makes the mark stale
    return tr.docChanged ? Decoration.none : next;
  },
  provide: (f) => EditorView.decorations.from(f),
});

/**
 * CodeMirror with SQL highlighting (PostgreSQL dialect, closest to DuckDB's) and completion of the views' columns.
 * Ctrl/Cmd+Enter runs the selection when there is one, else the whole text; `errorRange` is underlined.
 */
export function SqlEditor({
  value,
  onChange,
  onRun,
  schema,
  errorRange,
  viewRef,
}: {
  value: string;
  onChange: (v: string) => void;
  onRun: (selection: RunSelection) => void;
  schema: SchemaView[];
  errorRange: { from: number; to: number } | null;
  viewRef?: { current: EditorView | null };
}) {
  const dark = useResolvedTheme() === 'dark';
  const own = useRef<EditorView | null>(null);
  const onRunRef = useRef(onRun);
  onRunRef.current = onRun;
  const extensions = useMemo<Extension[]>(
    () => [
      sqlLanguage({ dialect: PostgreSQL, upperCaseKeywords: true, schema: Object.fromEntries(schema.map((v) => [v.name, v.columns.map((c) => c.name)])) }),
      // highest precedence: Mod-Enter would otherwise insert a line
      Prec.highest(keymap.of([{ key: 'Mod-Enter', run: (view) => (onRunRef.current(selectionOf(view)), true), preventDefault: true }])),
      EditorView.contentAttributes.of({ 'aria-label': 'SQL', 'aria-multiline': 'true' }),
      EditorView.lineWrapping,
      errorField,
    ],
    [schema],
  );
  useEffect(() => {
    const view = own.current;
    if (!view) return;
    const len = view.state.doc.length;
    view.dispatch({ effects: setErrorMark.of(errorRange) });
    if (errorRange && errorRange.from <= len) view.dispatch({ effects: EditorView.scrollIntoView(Math.min(errorRange.from, len), { y: 'nearest' }) });
  }, [errorRange]);
  return (
    <CodeMirror
      className="query-editor"
      value={value}
      onChange={onChange}
      extensions={extensions}
      theme={dark ? 'dark' : 'light'}
      basicSetup={{ foldGutter: false, highlightActiveLine: false }}
      minHeight="96px"
      maxHeight="220px"
      onCreateEditor={(view) => {
        own.current = view;
        if (viewRef) viewRef.current = view;
        if (errorRange) view.dispatch({ effects: setErrorMark.of(errorRange) });
      }}
    />
  );
}
