import { InvalidArgumentError } from 'commander';

// Option parsers: a bad value is a commander InvalidArgumentError, which the CLI turns into a one-line error, exit 2.
export function intOption(name: string, min: number, max: number) {
  return (raw: string): number => {
    if (!/^\d+$/.test(raw.trim())) throw new InvalidArgumentError(`${name} must be a whole number, got "${raw}"`);
    const n = Number(raw);
    if (n < min || n > max) throw new InvalidArgumentError(`${name} must be between ${min} and ${max}, got ${n}`);
    return n;
  };
}

export function positiveNumberOption(name: string, max: number) {
  return (raw: string): number => {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || n <= 0 || n > max) throw new InvalidArgumentError(`${name} must be a number of seconds between 0 and ${max}, got "${raw}"`);
    return n;
  };
}

/** The one symbol-list rule of the CLI and the UI (validated later by the contract's schema). */
export { splitSymbols } from '../../../src-common/symbols';

/** A folder option (--data-dir, ingest --output): an empty value is bad input, never "use the default". */
export function dirOption(name: string) {
  return (raw: string): string => {
    if (raw.trim() === '') throw new InvalidArgumentError(`${name} is empty: give a folder, or leave ${name} out for the default`);
    return raw;
  };
}
