import net from 'node:net';
import test from 'ava';
import { ManualClock } from '../../core/clock.js';
import { StorageUnavailableError } from '../../core/errors.js';
import { openPostgresJournal } from '../../core/journal/postgres.js';
import { freshSchema, openTestJournal, startProxy } from '../helpers/postgres.js';

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('opening against an unreachable database throws StorageUnavailableError', async (t) => {
  const url = `postgres://postgres@127.0.0.1:${await closedPort()}/test`;
  await t.throwsAsync(openPostgresJournal({ url, schema: 'unused', poolSize: 1, connectTimeoutMs: 1_000 }), { instanceOf: StorageUnavailableError });
});

test('ping, enqueue and claim answer StorageUnavailableError while the database is unreachable', async (t) => {
  const proxy = await startProxy(t);
  const journal = await openTestJournal(t, freshSchema(t), new ManualClock(), { url: proxy.url });
  await journal.ping();
  await proxy.cut();
  await t.throwsAsync(journal.ping(), { instanceOf: StorageUnavailableError });
  await t.throwsAsync(journal.enqueue({ queue: 'q', key: 'k', payload: 1 }), { instanceOf: StorageUnavailableError });
  await t.throwsAsync(journal.claim({ queue: 'q', limit: 1, leaseMs: 1_000 }), { instanceOf: StorageUnavailableError });
});

test('the journal works again once the database is back', async (t) => {
  const proxy = await startProxy(t);
  const journal = await openTestJournal(t, freshSchema(t), new ManualClock(), { url: proxy.url });
  await proxy.cut();
  await t.throwsAsync(journal.ping(), { instanceOf: StorageUnavailableError });
  await proxy.restore();
  await journal.ping();
  const { created } = await journal.enqueue({ queue: 'q', key: 'k', payload: 1 });
  t.true(created);
});

test('a closed journal answers StorageUnavailableError', async (t) => {
  const journal = await openTestJournal(t, freshSchema(t), new ManualClock());
  await journal.close();
  await t.throwsAsync(journal.ping(), { instanceOf: StorageUnavailableError });
  await t.throwsAsync(journal.enqueue({ queue: 'q', payload: 1 }), { instanceOf: StorageUnavailableError });
});

test('watchers are woken when the LISTEN connection comes back after an outage', async (t) => {
  const proxy = await startProxy(t);
  const journal = await openTestJournal(t, freshSchema(t), new ManualClock(), { url: proxy.url });
  let wakes = 0;
  let woken = () => {};
  const stop = journal.watch('q', () => {
    wakes += 1;
    woken();
  });
  t.teardown(stop);
  await new Promise((resolve) => setTimeout(resolve, 200)); // let the LISTEN connection open
  await proxy.cut();
  const back = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 15_000);
    woken = () => (clearTimeout(timer), resolve(true));
  });
  await proxy.restore();
  t.true(await back, 'notifications sent during the outage are lost, so every watcher is woken once');
  t.true(wakes >= 1);
});
