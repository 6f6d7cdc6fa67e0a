/**
 * Ingest and drain rates of the journal on SQLite and PostgreSQL in one run.
 *
 *   node --import tsx bench/journal.ts [items]        (default 4000; about 15 s)
 *
 * Ingest: 100 concurrent senders each enqueueing one message at a time and
 * waiting for the commit (as MLLP connections wait for their ACK), so group
 * commit is what is measured. Drain: the real delivery worker (claim with a
 * lease, no-op delivery, complete with an attempt row), 16 in flight, items
 * spread over 200 order keys (patients). PostgreSQL also drains with two
 * instances (two pools, two workers) on one schema. Needs the server in
 * CARALOOM_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test);
 * the schema it creates is dropped at the end. BENCH_JOURNAL_STORES=postgres
 * (or sqlite) runs one store only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { openPostgresJournal } from '../core/journal/postgres.js';
import { SqliteJournal } from '../core/journal/sqlite.js';
import type { Journal } from '../core/journal/types.js';
import { silentLogger } from '../core/logger.js';
import { createWorker } from '../core/worker.js';

let items = 4_000;
const senders = 100;
const patients = 200;
const url = process.env.CARALOOM_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Sender i talks to instance i mod n, as behind a load balancer. */
async function ingest(journals: Journal[], queue: string): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: senders }, async (_, sender) => {
      const journal = journals[sender % journals.length]!;
      for (let n = next++; n < items; n = next++) {
        await journal.enqueue({ queue, key: `FAC|${n}`, orderKey: `patient-${n % patients}`, payload: { n, body: 'x'.repeat(600) }, meta: { controlId: String(n) } });
      }
    }),
  );
  return items / ((performance.now() - started) / 1000);
}

async function drain(journals: Journal[], queue: string): Promise<number> {
  const started = performance.now();
  let delivered = 0;
  let finished = () => {};
  const all = new Promise<void>((resolve) => (finished = resolve));
  const workers = journals.map((journal, index) =>
    createWorker({
      journal,
      queue,
      logger: silentLogger(),
      concurrency: 16,
      leaseMs: 60_000,
      idlePollMs: 50,
      owner: `bench-${index}`,
      handle: async () => ({ kind: 'delivered', result: { ok: true } }),
      onOutcome: () => void (++delivered === items && finished()),
    }),
  );
  for (const worker of workers) worker.start();
  await all;
  await Promise.all(workers.map((worker) => worker.stop()));
  const rate = items / ((performance.now() - started) / 1000);
  const counts = await journals[0]!.counts(queue);
  if (counts.delivered !== items) throw new Error(`expected ${items} delivered, found ${counts.delivered}`);
  return rate;
}

export interface JournalBenchRow {
  store: string;
  ingest: string;
  drain: string;
}

const fmt = (rate: number) => `${Math.round(rate).toLocaleString('en-US')}/s`;

/** Runs every scenario in turn; `npm run bench` can call this too. */
export async function runJournalBench(count = 4_000): Promise<JournalBenchRow[]> {
  items = count;
  const rows: JournalBenchRow[] = [];

  const stores = (process.env.BENCH_JOURNAL_STORES ?? 'sqlite,postgres').split(',');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'caraloom-bench-'));
  try {
    if (!stores.includes('sqlite')) return postgresRows(rows);
    for (const synchronous of ['full', 'normal'] as const) {
      const sqlite = new SqliteJournal({ file: path.join(dir, `${synchronous}.db`), synchronous });
      rows.push({ store: `sqlite (synchronous=${synchronous})`, ingest: fmt(await ingest([sqlite], 'q')), drain: fmt(await drain([sqlite], 'q')) });
      await sqlite.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return stores.includes('postgres') ? postgresRows(rows) : rows;
}

async function postgresRows(rows: JournalBenchRow[]): Promise<JournalBenchRow[]> {
  const schema = `bench_${process.pid}`;
  const open = () => openPostgresJournal({ url, schema, poolSize: 10 });
  const a = await open();
  const b = await open();
  try {
    const one = { ingest: await ingest([a], 'one'), drain: await drain([a], 'one') };
    rows.push({ store: 'postgres (1 instance)', ingest: fmt(one.ingest), drain: `${fmt(one.drain)} (aim ≥ 5,000/s)` });
    const two = { ingest: await ingest([a, b], 'two'), drain: await drain([a, b], 'two') };
    rows.push({ store: 'postgres (2 instances)', ingest: fmt(two.ingest), drain: `${fmt(two.drain)} = ${(two.drain / one.drain).toFixed(2)}× one (aim ≥ 1.6×)` });
  } finally {
    await Promise.all([a.close(), b.close()]);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }

  return rows;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await runJournalBench(Number(process.argv[2] ?? 4_000));
  console.log(`journal: ${items} items, ${senders} concurrent senders, ${patients} order keys, worker concurrency 16`);
  console.table(rows);
}
