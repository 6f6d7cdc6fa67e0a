import { mkdirSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { ManualClock } from '../../core/clock.js';
import { subscriberQueue } from '../../relay/match.js';
import { tempDir } from '../helpers/temp.js';
import { eventBody, startRelay, until } from './_support.js';

test('a file subscriber appends one private json line per event with its delivery id', async (t) => {
  const sink = path.join(tempDir(t), 'out', 'events.jsonl');
  const relay = await startRelay(t, { subscribers: [{ name: 'demo', kind: 'file', path: sink, ordering: 'subscriber' }] });
  for (const id of ['evt_file_1', 'evt_file_2']) await relay.send(eventBody(id));
  await until(async () => (await relay.relay.journal()!.counts(subscriberQueue('demo'))).delivered === 2);
  const lines = readFileSync(sink, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { deliveryId: string; event: { id: string } });
  t.deepEqual(lines.map((line) => line.event.id), ['evt_file_1', 'evt_file_2']);
  t.regex(lines[0]!.deliveryId, /^dlv_[0-9a-f]{32}$/);
  t.is(statSync(sink).mode & 0o777, 0o600);
});

test('a delivery that throws counts as a failure for the breaker, and a probe that throws opens the circuit again', async (t) => {
  const clock = new ManualClock(Date.now());
  const sink = path.join(tempDir(t), 'events.jsonl');
  mkdirSync(sink); // appending to a directory fails: the sink is "down"
  const relay = await startRelay(t, { subscribers: [{ name: 'demo', kind: 'file', path: sink }], breaker: { failures: 1, cooldown: '1m' } }, { clock });
  await relay.send(eventBody('evt_throw'));
  const journal = relay.relay.journal()!;
  const item = async () => (await journal.getByKey(subscriberQueue('demo'), 'evt_throw'))!;
  await until(async () => (await item()).attempts === 1);
  t.regex((await item()).lastError ?? '', /EISDIR/);
  clock.advance(61_000);
  relay.relay.poke();
  await until(async () => (await item()).attempts === 2);
  t.regex((await item()).lastError ?? '', /EISDIR/, 'the probe went out and failed');
  rmdirSync(sink);
  clock.advance(2 * 3_600_000);
  relay.relay.poke();
  await until(async () => (await item()).status === 'delivered');
  t.is((await item()).attempts, 3);
});
