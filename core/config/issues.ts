import type { z } from 'zod';
import type { Origin } from './interpolate.js';

/** Issues whose message does not already say what was received. */
const showsReceived = new Set(['invalid_type', 'invalid_value', 'too_big', 'too_small', 'not_multiple_of', 'invalid_format']);

const samePrefix = (path: readonly PropertyKey[], prefix: readonly PropertyKey[]): boolean => prefix.length <= path.length && prefix.every((key, index) => String(key) === String(path[index]));

/**
 * One line per bad path: `connector.mllp.port: expected an integer from 0 to
 * 65535, got 70000 (number)`. A value that came from `${VAR}` (listed in
 * `origins`) is shown as written, `${VAR}`, never as its value: neither in
 * `got …` nor inside a message that quotes it.
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[], input: unknown, origins: readonly Origin[] = []): string[] {
  return issues.map((issue) => {
    const where = issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.');
    const inside = origins.filter((origin) => samePrefix(origin.path, issue.path));
    const exact = inside.find((origin) => origin.path.length === issue.path.length);
    const received = exact !== undefined ? exact.written : valueAt(input, issue.path);
    let message = issue.message;
    for (const origin of inside) if (origin.value !== '') message = message.split(JSON.stringify(origin.value)).join(JSON.stringify(origin.written)).split(origin.value).join(origin.written);
    // An object holding an interpolated value is not printed at all.
    const shown = received === undefined ? '' : inside.length > 0 && exact === undefined ? ', got «redacted»' : `, got ${show(received)}`;
    return `${where}: ${message}${showsReceived.has(issue.code) ? shown : ''}`;
  });
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function show(value: unknown): string {
  const text = typeof value === 'number' && !Number.isFinite(value) ? String(value) : JSON.stringify(value);
  const clipped = text !== undefined && text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return `${clipped} (${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value})`;
}
