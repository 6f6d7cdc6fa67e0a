import type { z } from 'zod';

/** One line per bad path: `connector.mllp.port: expected number, got "abc" (string)`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  return issues.map((issue) => {
    const where = issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.');
    const received = valueAt(input, issue.path);
    const shown = received === undefined ? '' : `, got ${show(received)}`;
    return `${where}: ${issue.message}${issue.code === 'invalid_type' || issue.code === 'invalid_value' ? shown : ''}`;
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
  const text = JSON.stringify(value);
  const clipped = text !== undefined && text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return `${clipped} (${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value})`;
}
