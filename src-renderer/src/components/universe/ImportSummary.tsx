import { plural } from '../../format';
import type { ImportOutcome } from '../../state/universe';

/** What an import did: how many symbols went in, and each rejected line with its reason. */
export function ImportSummary({ result }: { result: ImportOutcome }) {
  return (
    <>
      <p>
        Imported {plural(result.imported, 'symbol')} into <strong>{result.universe}</strong> from {result.file}
        {result.rejected.length > 0 ? `; ${plural(result.rejected.length, 'line')} rejected:` : '.'}
      </p>
      {result.rejected.length > 0 && (
        <ul className="rejected" aria-label="Rejected lines">
          {result.rejected.map((r) => (
            <li key={`${r.line}:${r.value}`}>
              line {r.line}: <code>{r.value || '(empty)'}</code> — {r.reason}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
