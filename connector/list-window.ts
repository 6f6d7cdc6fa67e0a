/**
 * Newest-first message lists that stay fast past 100,000 rows through the
 * journal's list API alone. SQLite answers `queue = ? ORDER BY id DESC` over
 * all statuses with a sort of the whole queue (~0.5 s at 100,000), but a
 * query on one status walks its `(queue, status, id)` index. So a list is
 * asked per status, inside an id window `(lo, top)` that widens until it
 * holds a page; time bounds become id bounds by a binary search on `get`
 * (ids grow with receive time: one writer per SQLite file, one sequence in
 * PostgreSQL). Each page reads about as many rows as it shows.
 */
import { itemStatuses, type ItemMeta, type ItemStatus, type Journal, type JournalItem } from '../core/journal/types.js';

export interface WindowQuery {
  queue: string;
  status?: ItemStatus | undefined;
  meta?: ItemMeta | undefined;
  since?: number | undefined;
  until?: number | undefined;
  /** Only ids below this one (keyset paging). */
  before?: number | undefined;
  limit: number;
}

/** Lowest and highest id of `queue` over these statuses, or undefined when it is empty. */
async function idRange(journal: Journal, queue: string, statuses: readonly ItemStatus[]): Promise<{ first: number; last: number } | undefined> {
  const end = async (order: 'asc' | 'desc') => {
    const found = await Promise.all(statuses.map((status) => journal.list({ queue, status, order, ...(order === 'asc' ? { afterId: 0 } : {}), limit: 1 })));
    const ids = found.flat().map((item) => item.id);
    return ids.length === 0 ? undefined : order === 'asc' ? Math.min(...ids) : Math.max(...ids);
  };
  const [first, last] = [await end('asc'), await end('desc')];
  return first === undefined || last === undefined ? undefined : { first, last };
}

/** The smallest id in [lo, hi] of `queue` received at or after `at`, or hi + 1 (a binary search on `get`). */
async function idAt(journal: Journal, queue: string, statuses: readonly ItemStatus[], at: number, lo: number, hi: number): Promise<number> {
  /** Receive time of the first item of this queue at or after `id` (Infinity past the end). */
  const timeAt = async (id: number): Promise<number> => {
    const item = await journal.get(id);
    if (item !== undefined && item.queue === queue) return item.createdAt;
    const next = (await Promise.all(statuses.map((status) => journal.list({ queue, status, afterId: id - 1, order: 'asc', limit: 1 })))).flat();
    return next.length === 0 ? Infinity : Math.min(...next.map((item) => item.createdAt));
  };
  let [low, high] = [lo, hi + 1];
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    if ((await timeAt(mid)) >= at) high = mid;
    else low = mid + 1;
  }
  return low;
}

/** An id below every item of `queue` received at or after `at`: where a scan of the window from `at` starts (`id > bound`). */
export async function idBoundBefore(journal: Journal, queue: string, at: number): Promise<number> {
  const range = await idRange(journal, queue, itemStatuses);
  return range === undefined ? 0 : (await idAt(journal, queue, itemStatuses, at, range.first, range.last)) - 1;
}

export async function listNewest<P>(journal: Journal, query: WindowQuery): Promise<JournalItem<P>[]> {
  const statuses = query.status === undefined ? itemStatuses : [query.status];
  const range = await idRange(journal, query.queue, statuses);
  if (range === undefined) return [];
  const { first, last } = range;
  let top = Math.min(query.before ?? Infinity, last + 1);
  if (query.until !== undefined) top = Math.min(top, await idAt(journal, query.queue, statuses, query.until, first, last));
  const bottom = query.since === undefined ? first : await idAt(journal, query.queue, statuses, query.since, first, Math.max(first, top - 1));
  if (top <= bottom) return [];
  for (let width = Math.max(query.limit, 50); ; width *= 4) {
    const lo = Math.max(bottom - 1, top - 1 - width);
    const pages = await Promise.all(statuses.map((status) => journal.list<P>({ queue: query.queue, status, meta: query.meta, since: query.since, until: query.until, afterId: lo, order: 'asc', limit: width })));
    const inside = pages.flat().filter((item) => item.id < top).sort((a, b) => b.id - a.id);
    if (inside.length >= query.limit || lo <= bottom - 1) return inside.slice(0, query.limit);
  }
}
