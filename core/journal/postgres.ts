import type { Clock } from '../clock.js';
import { CaraloomError } from '../errors.js';
import type { Journal } from './types.js';

export interface PostgresJournalOptions {
  url: string;
  schema: string;
  poolSize: number;
  clock?: Clock | undefined;
}

/** Placeholder until the PostgreSQL journal lands (issue 7). */
export async function openPostgresJournal(_options: PostgresJournalOptions): Promise<Journal> {
  throw new CaraloomError('NOT_IMPLEMENTED', 'the PostgreSQL journal is not available yet');
}
