/**
 * Command-line flags as config values: `{ 'connector.mllp.port': 70000 }`.
 * Every command merges its flags with this one helper, into the config tree
 * before validation, so a bad flag is reported exactly like a bad file value
 * (`connector.mllp.port: expected an integer from 0 to 65535, got 70000 (number)`).
 * `undefined` means the flag was not given; a function gets the current value
 * (e.g. to append to a list).
 */
export type Flags = Record<string, unknown>;

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** A copy of `tree` with every given flag set at its dotted path (missing sections are created). */
export function withFlags(tree: Record<string, unknown>, flags: Flags): Record<string, unknown> {
  const root: Record<string, unknown> = { ...tree };
  for (const [dotted, given] of Object.entries(flags)) {
    if (given === undefined) continue;
    const keys = dotted.split('.');
    let node = root;
    for (const key of keys.slice(0, -1)) {
      const next = isObject(node[key]) ? { ...(node[key] as Record<string, unknown>) } : {};
      node[key] = next;
      node = next;
    }
    const last = keys.at(-1)!;
    node[last] = typeof given === 'function' ? (given as (current: unknown) => unknown)(node[last]) : given;
  }
  return root;
}
