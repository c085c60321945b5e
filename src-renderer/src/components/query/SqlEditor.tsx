import { useEffect, useMemo, useState } from 'react';
import CodeMirror from '@uiw/react-codemirror';
import { sql as sqlLanguage, PostgreSQL } from '@codemirror/lang-sql';
import { Prec } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import type { SchemaView } from '../../../../src-main/contract/query';

function usePrefersDark(): boolean {
  const query = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
  const [dark, setDark] = useState(query?.matches ?? false);
  useEffect(() => {
    if (!query) return;
    const on = (e: MediaQueryListEvent) => setDark(e.matches);
    query.addEventListener('change', on);
    return () => query.removeEventListener('change', on);
  }, [query]);
  return dark;
}

/** CodeMirror with SQL highlighting (PostgreSQL dialect, closest to DuckDB's) and completion of the views' columns; Ctrl/Cmd+Enter runs. */
export function SqlEditor({ value, onChange, onRun, schema }: { value: string; onChange: (v: string) => void; onRun: () => void; schema: SchemaView[] }) {
  const dark = usePrefersDark();
  const extensions = useMemo(
    () => [
      sqlLanguage({ dialect: PostgreSQL, upperCaseKeywords: true, schema: Object.fromEntries(schema.map((v) => [v.name, v.columns.map((c) => c.name)])) }),
      // highest precedence: Mod-Enter would otherwise insert a line
      Prec.highest(keymap.of([{ key: 'Mod-Enter', run: () => (onRun(), true), preventDefault: true }])),
      EditorView.contentAttributes.of({ 'aria-label': 'SQL', 'aria-multiline': 'true' }),
      EditorView.lineWrapping,
    ],
    [onRun, schema],
  );
  return <CodeMirror className="query-editor" value={value} onChange={onChange} extensions={extensions} theme={dark ? 'dark' : 'light'} basicSetup={{ foldGutter: false, highlightActiveLine: false }} minHeight="96px" maxHeight="220px" />;
}
