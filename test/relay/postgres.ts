import test from 'ava';
import { storeSchema } from '../../core/config/store.js';
import { subscriberQueue } from '../../relay/match.js';
import { freshSchema, testDatabaseUrl } from '../helpers/postgres.js';
import { eventBody, startRelay, startSubscriber, until } from './_support.js';

test('two relays on one postgresql database share the work: every event once, duplicates dropped across instances', async (t) => {
  const store = storeSchema.parse({ kind: 'postgres', url: testDatabaseUrl, schema: freshSchema(t), poolSize: 3 });
  const endpoint = await startSubscriber(t);
  const subscribers = [{ name: 'ehr', kind: 'http', url: endpoint.url, ordering: 'subscriber' }];
  const first = await startRelay(t, { subscribers }, { store });
  const second = await startRelay(t, { subscribers }, { store });
  const ids = Array.from({ length: 12 }, (_, index) => `evt_pg_${index}`);
  for (const [index, id] of ids.entries()) t.is((await (index % 2 === 0 ? first : second).send(eventBody(id))).status, 200);
  t.like((await second.send(eventBody('evt_pg_0'))).body, { duplicate: true });
  await until(async () => (await first.relay.journal()!.counts(subscriberQueue('ehr'))).delivered === ids.length);
  t.deepEqual(endpoint.received.map((got) => JSON.parse(got.body).id), ids, 'once each, in acceptance order');
});
