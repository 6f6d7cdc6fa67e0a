/** Writes and deletes values at output paths such as `reasonCode[0].coding[0].code`. Pure helpers. */

type Key = string | number;

export function parseJsonPath(path: string): Key[] {
  const keys: Key[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[\]]+)((?:\[\d+\])*)$/.exec(part);
    if (m === null) throw new Error(`bad output path ${path}`);
    keys.push(m[1]!);
    for (const index of m[2]!.matchAll(/\[(\d+)\]/g)) keys.push(Number(index[1]));
  }
  return keys;
}

/** Sets `value` at `path`, creating objects and arrays on the way. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = parseJsonPath(path);
  let node: Record<Key, unknown> = target;
  keys.forEach((key, i) => {
    if (i === keys.length - 1) {
      node[key] = value;
      return;
    }
    const next = keys[i + 1]!;
    if (node[key] === undefined || node[key] === null || typeof node[key] !== 'object') node[key] = typeof next === 'number' ? [] : {};
    node = node[key] as Record<Key, unknown>;
  });
}

export function getPath(target: unknown, path: string): unknown {
  let node = target;
  for (const key of parseJsonPath(path)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<Key, unknown>)[key];
  }
  return node;
}

/** Removes the value at `path` (and nothing else); objects left empty stay. */
export function deletePath(target: unknown, path: string): void {
  const keys = parseJsonPath(path);
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return;
    node = (node as Record<Key, unknown>)[key];
  }
  if (node !== null && typeof node === 'object') delete (node as Record<Key, unknown>)[keys[keys.length - 1]!];
}

/** Arrays with holes (an optional element not set) become dense, so the JSON has no nulls. */
export function compact<T>(value: T): T {
  if (Array.isArray(value)) return value.filter((entry) => entry !== undefined).map(compact) as T;
  if (value !== null && typeof value === 'object') {
    for (const [key, entry] of Object.entries(value)) (value as Record<string, unknown>)[key] = compact(entry);
  }
  return value;
}
