import { randomBytes } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import { ManualClock } from '../../core/clock.js';
import { StorageUnavailableError } from '../../core/errors.js';
import { freshSchema, openTestJournal, sql, testDatabaseUrl } from '../helpers/postgres.js';

// The grants docs/postgres.md lists for a runtime role on a schema a DBA
// migrated, checked against the real server with a role made for the test.

async function loginRole(t: ExecutionContext): Promise<{ role: string; url: string }> {
  const role = `caraloom_test_${randomBytes(4).toString('hex')}`;
  await sql(`CREATE ROLE ${role} LOGIN`);
  t.teardown(async () => {
    await sql(`DROP OWNED BY ${role}`);
    await sql(`DROP ROLE ${role}`);
  });
  const url = new URL(testDatabaseUrl);
  url.username = role;
  return { role, url: url.toString() };
}

test('a role with only the documented runtime grants runs the journal on a migrated schema', async (t) => {
  const schema = freshSchema(t);
  const clock = new ManualClock();
  await openTestJournal(t, schema, clock); // the owner migrates
  const { role, url } = await loginRole(t);
  await sql(`GRANT USAGE ON SCHEMA "${schema}" TO ${role}`);
  await sql(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "${schema}" TO ${role}`);
  await sql(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "${schema}" TO ${role}`);
  const journal = await openTestJournal(t, schema, clock, { url });
  await journal.ping();
  const { item } = await journal.enqueue({ queue: 'q', key: 'k', orderKey: 'p', payload: 1 });
  const [claimed] = await journal.claim({ queue: 'q', limit: 1, leaseMs: 1_000 });
  await journal.complete(claimed!.id, { attempt: { at: clock.now(), ok: true, status: 201 } });
  clock.advance(1);
  t.is(await journal.purge('q', clock.now()), 1);
  t.is(await journal.get(item.id), undefined);
});

test('a role without grants fails to open with StorageUnavailableError', async (t) => {
  const schema = freshSchema(t);
  await openTestJournal(t, schema, new ManualClock());
  const { url } = await loginRole(t);
  await t.throwsAsync(openTestJournal(t, schema, new ManualClock(), { url }), { instanceOf: StorageUnavailableError });
});
