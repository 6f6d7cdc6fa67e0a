/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs
 * inside the commit that crosses `wal_autocheckpoint` pages: on the journal's
 * one thread it copies ~1,000 pages into the database file and syncs both
 * files, a stall of several milliseconds every hundred or so single-message
 * commits — the ACK p99 of a sender that waits for each ACK. Here a worker
 * thread holding its own connection runs PASSIVE checkpoints (they never
 * block the writer) when the journal asks: it copies the pages and syncs the
 * database file. A WAL is only reused from its start once every frame is
 * copied, which a writer that keeps appending never lets a concurrent
 * checkpoint see; so when the thread has caught up with what it saw, the
 * journal runs one PASSIVE checkpoint itself, between commits, of the few
 * frames written since (a short one), and its next write restarts the WAL.
 * The journal's own automatic checkpoint is kept only as a far-off safety net.
 *
 * The thread starts with the first request (an idle journal never has one)
 * and stops with the journal. If it cannot run, the journal goes back to
 * SQLite's automatic checkpoint.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** The thread's whole program (CommonJS, evaluated): nothing of ours to load, under tsx or compiled. */
const source = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file);
// It copies pages from the WAL into the file: no need for a page cache of its own.
db.pragma('cache_size = -256');
parentPort.on('message', (message) => {
  if (message === 'stop') {
    db.close();
    parentPort.close();
    return;
  }
  // PASSIVE: never waits for the writer. It copies what the WAL holds now; the
  // writer keeps appending meanwhile, so the WAL is restarted by the journal's
  // own short checkpoint of the few frames written since (see the journal).
  let caughtUp = false;
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    caughtUp = row.busy === 0 && row.log === row.checkpointed;
  } catch {
    caughtUp = false;
  }
  parentPort.postMessage(caughtUp);
});
`;

export interface Checkpointer {
  /** A commit happened: every `every` of them, a checkpoint is asked for (one at a time). */
  committed(): void;
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  file: string;
  /** Commits between two checkpoints. @default 100 */
  every?: number;
  /** The thread copied every frame the WAL held when it started: the journal finishes with a checkpoint of the few since. */
  caughtUp: () => void;
  /** The thread cannot run: the journal's own automatic checkpoint takes over. */
  fallback: () => void;
}

export function createCheckpointer(options: CheckpointerOptions): Checkpointer {
  const every = options.every ?? 100;
  let commits = 0;
  let running = false;
  let worker: Worker | undefined;
  let failed = false;
  let exited: Promise<void> | undefined;

  const fail = () => {
    if (failed) return;
    failed = true;
    worker = undefined;
    options.fallback();
  };

  const start = (): Worker | undefined => {
    if (worker !== undefined || failed) return worker;
    try {
      const module = createRequire(import.meta.url).resolve('better-sqlite3');
      // A thread that holds one connection and a message handler: a small heap of its own, not the main one's defaults.
      const thread = new Worker(source, { eval: true, workerData: { module, file: options.file }, resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 } });
      thread.unref();
      thread.on('message', (caughtUp: boolean) => {
        running = false;
        if (caughtUp) options.caughtUp();
      });
      thread.on('error', fail);
      exited = new Promise((resolve) => thread.once('exit', () => resolve()));
      worker = thread;
    } catch {
      fail();
    }
    return worker;
  };

  return {
    committed() {
      commits += 1;
      if (commits < every || running || failed) return;
      const thread = start();
      if (thread === undefined) return;
      commits = 0;
      running = true;
      thread.postMessage('checkpoint');
    },
    async stop() {
      const thread = worker;
      worker = undefined;
      failed = true;
      if (thread === undefined) return;
      // Held while it closes: an unreferenced thread would let a process with nothing else to do exit first.
      thread.ref();
      thread.postMessage('stop');
      await exited;
    },
  };
}
