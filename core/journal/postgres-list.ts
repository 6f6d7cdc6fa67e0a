import type { ListOptions } from './types.js';

/**
 * `list()` as one parameterised statement. Meta filters match each named
 * value with `jsonb` equality; a missing key counts as null, as SQLite's
 * `json_extract(…) IS NULL` does. `$S` stands for the quoted schema.
 */
export function listQuery(options: ListOptions): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown): string => `$${params.push(value)}`;
  if (options.queue !== undefined) where.push(`queue = ${param(options.queue)}`);
  if (options.queuePrefix !== undefined) where.push(`left(queue, ${param(options.queuePrefix.length)}) = ${param(options.queuePrefix)}`);
  if (options.status !== undefined) where.push(`status = ${param(options.status)}`);
  if (options.since !== undefined) where.push(`created_at >= ${param(options.since)}`);
  if (options.until !== undefined) where.push(`created_at < ${param(options.until)}`);
  if (options.afterId !== undefined) where.push(`id > ${param(options.afterId)}`);
  const present = Object.fromEntries(Object.entries(options.meta ?? {}).filter(([, value]) => value !== null));
  // Containment uses the GIN index on meta; null has to mean "null or missing", which it cannot express.
  if (Object.keys(present).length > 0) where.push(`meta @> ${param(JSON.stringify(present))}::jsonb`);
  for (const [name, value] of Object.entries(options.meta ?? {})) {
    if (value === null) where.push(`coalesce(meta -> ${param(name)}, 'null'::jsonb) = 'null'::jsonb`);
  }
  const order = options.order ?? (options.afterId === undefined ? 'desc' : 'asc');
  const sql = `SELECT * FROM $S.journal_items ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id ${order === 'asc' ? 'ASC' : 'DESC'} LIMIT ${param(options.limit ?? 100)}`;
  return { sql, params };
}
