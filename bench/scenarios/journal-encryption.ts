/**
 * Encryption at rest on/off (issue #13 §2): journal ingest and drain on
 * SQLite with the same load as bench/journal.ts, once plain and once with a
 * data key, and the ratio. Aim: encryption costs under 10 % of ingest.
 *
 *   node --import tsx bench/scenarios/journal-encryption.ts [items]   (default 4000)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { newKeyLine, parseKeys, type Keyring } from '../../core/crypto/keys.js';
import { SqliteJournal } from '../../core/journal/sqlite.js';
import type { Journal } from '../../core/journal/types.js';
import { silentLogger } from '../../core/logger.js';
import { createWorker } from '../../core/worker.js';

const senders = 100;
const patients = 200;
// About the size of an ADT^A03 with its mapped request.
const body = 'PID|1||MRN^^^X^MR||Name^Given||19000101|F|||Street'.padEnd(1_500, 'x');

async function ingest(journal: Journal, items: number): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: senders }, async () => {
      for (let n = next++; n < items; n = next++) {
        await journal.enqueue({ queue: 'q', key: `FAC|${n}`, orderKey: `patient-${n % patients}`, payload: { n, body }, meta: { controlId: String(n) } });
      }
    }),
  );
  return items / ((performance.now() - started) / 1000);
}

async function drain(journal: Journal, items: number): Promise<number> {
  const started = performance.now();
  let delivered = 0;
  let finished = () => {};
  const all = new Promise<void>((resolve) => (finished = resolve));
  const worker = createWorker({
    journal,
    queue: 'q',
    logger: silentLogger(),
    concurrency: 16,
    leaseMs: 60_000,
    idlePollMs: 50,
    owner: 'bench',
    handle: async () => ({ kind: 'delivered', result: { ok: true, referral: 'r' } }),
    onOutcome: () => void (++delivered === items && finished()),
  });
  worker.start();
  await all;
  await worker.stop();
  return items / ((performance.now() - started) / 1000);
}

export interface EncryptionRow {
  mode: 'plain' | 'encrypted';
  ingest: number;
  drain: number;
}

async function one(mode: EncryptionRow['mode'], keyring: Keyring | undefined, items: number): Promise<EncryptionRow> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-enc-'));
  const journal = new SqliteJournal({ file: path.join(dir, 'journal.db'), keyring });
  try {
    return { mode, ingest: await ingest(journal, items), drain: await drain(journal, items) };
  } finally {
    await journal.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function encryptionScenario(items: number, log: (line: string) => void): Promise<EncryptionRow[]> {
  // Alternated twice so a warm-up or a neighbour's burst does not favour one side.
  const keyring = parseKeys(newKeyLine().line, 'bench');
  const rows = [await one('plain', undefined, items), await one('encrypted', keyring, items), await one('plain', undefined, items), await one('encrypted', keyring, items)];
  const mean = (mode: EncryptionRow['mode'], field: 'ingest' | 'drain') => rows.filter((row) => row.mode === mode).reduce((sum, row) => sum + row[field], 0) / 2;
  const result = (['plain', 'encrypted'] as const).map((mode) => ({ mode, ingest: mean(mode, 'ingest'), drain: mean(mode, 'drain') }));
  for (const row of result) log(`sqlite ${row.mode.padEnd(9)} ingest ${Math.round(row.ingest)}/s  drain ${Math.round(row.drain)}/s`);
  log(`encrypted/plain: ingest ${(result[1]!.ingest / result[0]!.ingest).toFixed(3)}, drain ${(result[1]!.drain / result[0]!.drain).toFixed(3)}`);
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await encryptionScenario(Number(process.argv[2] ?? 4_000), (line) => console.log(line));
}
