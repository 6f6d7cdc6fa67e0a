import { z } from 'zod';

/** An old key still read: its new name, and `ms` when its bare numbers meant milliseconds. */
export interface Rename {
  to: string;
  unit?: 'ms';
}

/** Which input objects had old keys moved (by identity, so the loader can name their full paths). */
const moved = new WeakMap<object, Array<{ from: string } & Rename>>();

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Read old keys (`idleTimeoutMs`) as their new ones (`idleTimeout`), so a
 * config written for an older release still starts; a `…Ms` number becomes
 * seconds (bare numbers are seconds now). `renameWarnings` names each at load.
 * Both names at once is an error: which one was meant is unknown.
 */
export function legacyKeys<S extends z.ZodType>(schema: S, renames: Record<string, Rename>) {
  return z.preprocess((input, ctx) => {
    if (!isObject(input)) return input;
    let output: Record<string, unknown> | undefined;
    for (const [from, rename] of Object.entries(renames)) {
      if (!(from in input)) continue;
      output ??= { ...input };
      delete output[from];
      if (rename.to in input) {
        ctx.addIssue({ code: 'custom', message: `${from} is the old name of ${rename.to}: give only ${rename.to}`, input });
        continue;
      }
      const value = input[from];
      output[rename.to] = rename.unit === 'ms' && typeof value === 'number' ? value / 1_000 : value;
      moved.set(input, [...(moved.get(input) ?? []), { from, ...rename }]);
    }
    return output ?? input;
  }, schema);
}

/** One line per old key found in a validated tree: `connector.mllp.idleTimeoutMs is now connector.mllp.idleTimeout …`. */
export function renameWarnings(tree: unknown, path: string[] = []): string[] {
  if (Array.isArray(tree)) return tree.flatMap((entry, index) => renameWarnings(entry, [...path, String(index)]));
  if (!isObject(tree)) return [];
  const at = (key: string) => [...path, key].join('.');
  const own = (moved.get(tree) ?? []).map(({ from, to, unit }) =>
    `config: ${at(from)} is an old name, read as ${at(to)}${unit === 'ms' ? ' (a duration: 500ms, 5s, 30m; bare numbers are seconds)' : ''}; rename it`);
  return [...own, ...Object.entries(tree).flatMap(([key, value]) => renameWarnings(value, [...path, key]))];
}
