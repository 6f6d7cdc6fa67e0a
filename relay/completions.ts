import type { CompleteEntry, FinishOptions, Journal } from '../core/journal/types.js';

interface Waiting {
  entries: CompleteEntry[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The journal as the subscribers' delivery loops see it: every completion
 * made in one turn of the event loop — `complete` or `completeMany`, from
 * any subscriber — is written by one `completeMany`, so a burst of
 * deliveries costs one commit instead of one per delivery (on SQLite a
 * commit per delivery was a tenth of the relay's CPU) or one per
 * subscriber. Each caller still resolves only after its items are recorded.
 * If the shared write fails, each caller's items are written on their own,
 * so one bad item cannot fail another caller's. Everything else goes
 * straight to the journal.
 */
export function batchCompletions(journal: Journal): Journal {
  let waiting: Waiting[] = [];

  const flush = async (): Promise<void> => {
    const batch = waiting;
    waiting = [];
    try {
      await journal.completeMany(batch.flatMap((entry) => entry.entries));
      for (const entry of batch) entry.resolve();
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error);
      for (const entry of batch) await journal.completeMany(entry.entries).then(entry.resolve, entry.reject);
    }
  };

  const join = (entries: CompleteEntry[]): Promise<void> =>
    new Promise((resolve, reject) => {
      if (entries.length === 0) return resolve();
      if (waiting.push({ entries, resolve, reject }) === 1) setImmediate(() => void flush());
    });

  // The journals keep their state in private fields: their methods must run on the journal itself.
  const bound = new Map<PropertyKey, unknown>([
    ['complete', (id: number, options?: FinishOptions) => join([{ id, options }])],
    ['completeMany', (entries: readonly CompleteEntry[]) => join([...entries])],
  ]);
  return new Proxy(journal, {
    get(target, property) {
      const known = bound.get(property);
      if (known !== undefined) return known;
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const method = value.bind(target);
      bound.set(property, method);
      return method;
    },
  });
}
