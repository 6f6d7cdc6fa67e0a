/**
 * Time bounds as id bounds. Ids grow with receive time (one writer per
 * SQLite file, one sequence in PostgreSQL), so the first id received at or
 * after a time is found by a binary search on `get`, through the journal's
 * list API alone; a scan of a time window can then walk the primary key.
 */
import { itemStatuses, type ItemStatus, type Journal } from './types.js';

/** Lowest and highest id of `queue` over these statuses, or undefined when it is empty. */
export async function idRange(journal: Journal, queue: string, statuses: readonly ItemStatus[]): Promise<{ first: number; last: number } | undefined> {
  const end = async (order: 'asc' | 'desc') => {
    const found = await Promise.all(statuses.map((status) => journal.list({ queue, status, order, ...(order === 'asc' ? { afterId: 0 } : {}), limit: 1 })));
    const ids = found.flat().map((item) => item.id);
    return ids.length === 0 ? undefined : order === 'asc' ? Math.min(...ids) : Math.max(...ids);
  };
  const [first, last] = [await end('asc'), await end('desc')];
  return first === undefined || last === undefined ? undefined : { first, last };
}

/** The smallest id in [lo, hi] of `queue` received at or after `at`, or hi + 1 (a binary search on `get`). */
export async function idAt(journal: Journal, queue: string, statuses: readonly ItemStatus[], at: number, lo: number, hi: number): Promise<number> {
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

