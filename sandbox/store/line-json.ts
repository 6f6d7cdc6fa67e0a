/**
 * JSON laid out one record per line: still one valid JSON document (`jq .`
 * reads it), grep-able by id, and about 40 % smaller and twice as fast to
 * write than lowdb's default two-space indentation (measured at 5,000
 * referrals: 8.6 MB / ~100 ms a write instead of 14 MB / ~215 ms). lowdb
 * rewrites the whole file on every write, so that difference is latency.
 */

/** The text of one record's line, without its indentation or comma. */
export type RecordLine = (section: string, id: string, record: unknown) => string;

export const plainLine: RecordLine = (_section, id, record) => `${JSON.stringify(id)}: ${JSON.stringify(record)}`;

/** `line` lets a caller hand back a line it kept from the last write (store.ts does, for referrals). */
export function stringifyByLine(data: object, line: RecordLine = plainLine): string {
  const sections = Object.entries(data).map(([key, value]) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return `${JSON.stringify(key)}: ${JSON.stringify(value)}`;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return `${JSON.stringify(key)}: {}`;
    return `${JSON.stringify(key)}: {\n${entries.map(([id, record]) => `  ${line(key, id, record)}`).join(',\n')}\n}`;
  });
  return `{\n${sections.join(',\n')}\n}\n`;
}
