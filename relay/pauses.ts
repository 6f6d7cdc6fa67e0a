import type { Journal } from '../core/journal/types.js';

/**
 * Paused subscribers, kept in the journal so a pause survives a restart, is
 * seen by every instance sharing a database, and can be set from the CLI
 * while the relay runs. One record-only item per paused subscriber.
 */
export const pauseQueue = (subscriber: string): string => `relay.pause.${subscriber}`;

export interface PauseRecord {
  reason: string;
  at: number;
}

export function createPauses(journal: Journal) {
  return {
    async get(subscriber: string): Promise<PauseRecord | undefined> {
      const item = await journal.getByKey<PauseRecord>(pauseQueue(subscriber), 'pause');
      return item?.payload;
    },
    /** Idempotent: the first reason is kept. */
    async pause(subscriber: string, reason: string, at: number): Promise<void> {
      await journal.enqueue({ queue: pauseQueue(subscriber), key: 'pause', status: 'delivered', payload: { reason, at } satisfies PauseRecord, meta: { subscriber } });
    },
    async resume(subscriber: string): Promise<boolean> {
      return (await journal.purge(pauseQueue(subscriber), Number.MAX_SAFE_INTEGER, ['delivered'])) > 0;
    },
  };
}

export type Pauses = ReturnType<typeof createPauses>;
