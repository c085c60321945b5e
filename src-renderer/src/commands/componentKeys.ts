import { register } from './registry';

// Keys a focused component handles itself (the SQL editor, the result grid, a dialog): listed with the others, never
// run by the global key handler.
register({ id: 'query.run', label: 'Query: run the SQL in the editor', keys: ['Ctrl+Enter'] });
register({ id: 'query.grid.move', label: 'Query results: move the selected cell', keys: ['Arrows', 'PageUp / PageDown'] });
register({ id: 'query.grid.ends', label: 'Query results: first / last row', keys: ['Ctrl+Home', 'Ctrl+End'] });
register({ id: 'query.grid.copy', label: 'Query results: copy the selected cell', keys: ['Ctrl+C'] });
register({ id: 'dialog.close', label: 'Close a dialog', keys: ['Esc'] });
