/**
 * Issue #13 §2 upgrades on PostgreSQL: a schema the release before
 * encryption wrote (migrations v1–v2, json columns, plain rows, items still
 * queued) opens under a key, is sealed in place, and delivers its queued
 * items once.
 */
import test, { type ExecutionContext } from 'ava';
import { ManualClock } from '../../core/clock.js';
import { newKeyLine, parseKeys } from '../../core/crypto/keys.js';
import { openPostgresJournal } from '../../core/journal/postgres.js';
import { postgresMigrations } from '../../core/journal/postgres-schema.js';
import { freshSchema, sql, testDatabaseUrl } from '../helpers/postgres.js';

const phi = ['PLAINONE', 'PLAINTWO', 'PLAINTHREE', 'PLAINDONE', 'MRNPLAIN', 'PLAIN ANSWER', 'PLAIN ERROR'];

/** The schema and rows as the release before encryption left them. */
async function v2Journal(t: ExecutionContext): Promise<string> {
  const schema = freshSchema(t);
  const S = `"${schema}"`;
  await sql(`CREATE SCHEMA ${S}`);
  await sql(`CREATE TABLE ${S}.journal_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
  for (const [index, migration] of postgresMigrations.slice(0, 2).entries()) {
    await sql(migration.replaceAll('$S', S));
    await sql(`INSERT INTO ${S}.journal_migrations (version) VALUES ($1)`, [index + 1]);
  }
  const insert = `INSERT INTO ${S}.journal_items (queue, key, status, payload, meta, available_at, created_at, updated_at, result) VALUES ($1, $2, $3, $4::json, '{"controlId":"C1"}', 0, 0, 0, $5::json) RETURNING id`;
  for (const [n, name] of ['PLAINONE', 'PLAINTWO', 'PLAINTHREE'].entries()) await sql(insert, ['connector.outbox', `FAC|${n}`, 'queued', JSON.stringify({ hl7: `PID|1||MRNPLAIN${n}||${name}^PAT` }), null]);
  const [done] = await sql<{ id: string }>(insert, ['connector.outbox', 'FAC|9', 'delivered', JSON.stringify({ hl7: 'PID|1||MRNPLAIN9||PLAINDONE^PAT' }), JSON.stringify({ referral: 'ref_1' })]);
  await sql(`INSERT INTO ${S}.journal_attempts (item_id, at, ok, status, error, response) VALUES ($1, 5, true, 201, 'PLAIN ERROR', 'PLAIN ANSWER')`, [done!.id]);
  return schema;
}

const rawRows = (schema: string) => sql<{ text: string }>(`SELECT row_to_json(i)::text AS text FROM "${schema}".journal_items i UNION ALL SELECT row_to_json(a)::text FROM "${schema}".journal_attempts a`);

test('postgres: a journal written before encryption opens under a key, is sealed in place, and its queued items are delivered once', async (t) => {
  const schema = await v2Journal(t);
  t.true((await rawRows(schema)).some((row) => row.text.includes('MRNPLAIN')), 'plain to begin with');
  const keyring = parseKeys(newKeyLine().line, 'test');
  const clock = new ManualClock(1_000);
  const journal = await openPostgresJournal({ url: testDatabaseUrl, schema, poolSize: 2, clock, keyring });
  t.teardown(() => journal.close());

  const rows = await rawRows(schema);
  for (const marker of phi) t.false(rows.some((row) => row.text.includes(marker)), marker);
  const stored = await sql<{ payload: string; result: string | null }>(`SELECT payload, result FROM "${schema}".journal_items ORDER BY id`);
  t.true(stored.every((row) => row.payload.startsWith(`v1:${keyring.current.id}:`)), 'every payload sealed');
  t.true(stored[3]!.result!.startsWith('v1:'), 'the stored result sealed');

  t.like(await journal.counts('connector.outbox'), { queued: 3, delivered: 1 });
  const [delivered] = await journal.list({ queue: 'connector.outbox', status: 'delivered' });
  t.deepEqual(delivered!.result, { referral: 'ref_1' });
  t.like((await journal.attempts(delivered!.id))[0], { response: 'PLAIN ANSWER', error: 'PLAIN ERROR' });
  const claimed = await journal.claim<{ hl7: string }>({ queue: 'connector.outbox', limit: 10, leaseMs: 1_000 });
  t.deepEqual(claimed.map((item) => item.payload.hl7.split('||')[2]), ['PLAINONE^PAT', 'PLAINTWO^PAT', 'PLAINTHREE^PAT']);
  for (const item of claimed) await journal.complete(item.id);
  t.deepEqual(await journal.claim({ queue: 'connector.outbox', limit: 10, leaseMs: 1_000 }), [], 'nothing delivered twice');
  t.like(await journal.counts('connector.outbox'), { queued: 0, delivered: 4 });
});

test('postgres: a journal written before encryption opened without a key stays plain and readable', async (t) => {
  const schema = await v2Journal(t);
  const journal = await openPostgresJournal({ url: testDatabaseUrl, schema, poolSize: 2 });
  t.teardown(() => journal.close());
  const items = await journal.list<{ hl7: string }>({ queue: 'connector.outbox', order: 'asc' });
  t.is(items.length, 4);
  t.true(items[0]!.payload.hl7.includes('PLAINONE'));
  const { item } = await journal.enqueue({ queue: 'connector.outbox', key: 'FAC|new', payload: { hl7: 'PID|new' } });
  t.deepEqual((await journal.get(item.id))!.payload, { hl7: 'PID|new' });
});
