import { useClient } from '../../clientContext';
import { cancelAck, confirmAck, editAck, useValidation } from '../../state/validation';
import { ErrorAlert } from '../ErrorAlert';
import { Time } from '../Time';

/** Acknowledging a finding (or its rule for its symbol) with a note; shown above the table while one is written. */
export function AckForm() {
  const client = useClient();
  const draft = useValidation((s) => s.ackDraft);
  const busy = useValidation((s) => s.ackBusy);
  const error = useValidation((s) => s.ackError);
  if (!draft) return null;
  const f = draft.finding;
  return (
    <form
      className="vack-form"
      aria-label="Acknowledge"
      onSubmit={(e) => {
        e.preventDefault();
        void confirmAck(client);
      }}
    >
      <p>
        Acknowledge <strong>{f.rule}</strong> on <strong>{f.symbol}</strong> at <Time at={f.ts} seconds />: it will be hidden (in this run and later ones) and
        kept in exports with your note.
      </p>
      <fieldset className="vack-kind">
        <legend className="sr-only">What to acknowledge</legend>
        <label>
          <input type="radio" name="ack-kind" checked={draft.kind === 'finding'} onChange={() => editAck({ kind: 'finding' })} /> This finding
        </label>
        <label>
          <input type="radio" name="ack-kind" checked={draft.kind === 'rule'} onChange={() => editAck({ kind: 'rule' })} /> Every {f.rule} finding of {f.symbol}
        </label>
      </fieldset>
      <label className="vack-note">
        <span>Note</span>
        <input value={draft.note} maxLength={500} placeholder="why this is acceptable, e.g. trading halt" onChange={(e) => editAck({ note: e.target.value })} autoFocus />
      </label>
      <div className="vack-actions">
        <button type="submit" disabled={busy}>
          Acknowledge
        </button>
        <button type="button" onClick={cancelAck}>
          Cancel
        </button>
      </div>
      <ErrorAlert error={error} title="Not acknowledged" />
    </form>
  );
}
