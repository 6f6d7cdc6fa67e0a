/**
 * The floor under every durable figure: how many one-row SQLite transactions
 * (WAL) this machine commits per second, with a sync per commit (FULL, the
 * journal's default) and without (NORMAL). Ingest, drain and relay intake each
 * cost one or more of these per message.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';

export interface DiskRow {
  rows: { mode: string; perSecond: number }[];
}

export function diskScenario(commits: number): DiskRow {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'caraloom-bench-disk-'));
  try {
    const rows = (['FULL', 'NORMAL'] as const).map((mode) => {
      const db = new Database(path.join(dir, `${mode}.db`));
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${mode}`);
      db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)');
      const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
      const body = 'x'.repeat(1500);
      const start = performance.now();
      for (let i = 0; i < commits; i++) insert.run(body);
      const perSecond = (commits / (performance.now() - start)) * 1000;
      db.close();
      return { mode: `synchronous=${mode}`, perSecond };
    });
    return { rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
