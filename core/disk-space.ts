/**
 * The disk floor: while free space on the journal's disk is below
 * `store.minFreeDisk`, the doors refuse new work (MLLP AR 207, HTTP 503)
 * instead of letting SQLite hit ENOSPC halfway through a commit, and accept
 * again on their own once space returns. Free bytes are an environment
 * input, like the clock: the probe is injectable, and its answer is cached
 * for about a second so a busy door does not call statfs per message.
 */
import { statfs } from 'node:fs/promises';
import { systemClock, type Clock } from './clock.js';
import { describeError } from './errors.js';
import { silentLogger, type Logger } from './logger.js';

/** Bytes an unprivileged process may still write on the filesystem holding `dir`. */
export type FreeBytesProbe = (dir: string) => Promise<number>;

export const statfsFreeBytes: FreeBytesProbe = async (dir) => {
  const stats = await statfs(dir);
  return stats.bavail * stats.bsize;
};

/** 512 MiB: a few minutes of a busy feed, and room for SQLite's WAL checkpoint. */
export const DEFAULT_MIN_FREE_DISK = 512 * 1024 * 1024;

export interface DiskFloorOptions {
  /** The journal's folder. */
  dir: string;
  /** Refuse work below this many free bytes; 0 turns the floor off. */
  minFreeBytes: number;
  /** @default statfsFreeBytes */
  probe?: FreeBytesProbe | undefined;
  clock?: Clock | undefined;
  /** How long one probe answer is reused. @default 1000 */
  cacheMs?: number;
  logger?: Logger | undefined;
}

export interface DiskFloor {
  /** Why new work is refused now (free space below the floor), or undefined to accept it. */
  check(): Promise<string | undefined>;
}

const mb = (bytes: number) => `${Math.floor(bytes / (1024 * 1024))} MB`;

export function createDiskFloor(options: DiskFloorOptions): DiskFloor {
  const { dir, minFreeBytes } = options;
  if (minFreeBytes <= 0) return { check: async () => undefined };
  const probe = options.probe ?? statfsFreeBytes;
  const clock = options.clock ?? systemClock;
  const cacheMs = options.cacheMs ?? 1_000;
  const log = (options.logger ?? silentLogger()).child({ component: 'disk-floor' });
  let checkedAt = -Infinity;
  let problem: string | undefined;
  let inFlight: Promise<string | undefined> | undefined;

  const refresh = async (): Promise<string | undefined> => {
    let next: string | undefined;
    try {
      const free = await probe(dir);
      next = free < minFreeBytes ? `disk: ${mb(free)} free on the journal's disk, below the ${mb(minFreeBytes)} floor (store.minFreeDisk)` : undefined;
      if (next !== undefined && problem === undefined) log.error({ freeBytes: free, minFreeBytes }, 'journal disk below the free-space floor: refusing new messages until space returns');
      if (next === undefined && problem !== undefined) log.warn({ freeBytes: free, minFreeBytes }, 'journal disk above the free-space floor again: accepting messages');
    } catch (error) {
      // Cannot tell: accept, and let the journal itself report what is wrong.
      log.warn({ err: describeError(error) }, 'free disk space could not be read');
    }
    problem = next;
    checkedAt = clock.now();
    return problem;
  };

  return {
    check() {
      if (clock.now() - checkedAt < cacheMs) return Promise.resolve(problem);
      inFlight ??= refresh().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
  };
}

/** The floor a store section asks for: its `minFreeDisk` (default 512 MiB) for SQLite; none for PostgreSQL, whose disk is the server's. */
export function minFreeDiskOf(store: { kind: string; minFreeDisk?: number | undefined }): number {
  return store.kind === 'sqlite' ? (store.minFreeDisk ?? DEFAULT_MIN_FREE_DISK) : 0;
}
