import test from 'ava';
import { relayKillRun } from '../../bench/faults/relay-kill.js';
import type { FaultSummary } from '../../bench/faults/connector-kill.js';

// One short run (the full one is `npm run faults`), shared by the checks below.
let run: Promise<FaultSummary> | undefined;
const summary = () => (run ??= relayKillRun({ events: 300, kills: 2, drainMs: 40_000 }));

test('the relay is killed while events flow and subscribers flap', async (t) => {
  const s = await summary();
  t.is(s.kills, 2);
  t.true(s.faultsInjected.subscriberOutages! > 0);
});

test('every accepted event reaches every subscriber', async (t) => {
  const s = await summary();
  t.is(s.expected, 900);
  t.is(s.lost, 0);
});

test('a repeated delivery always carries the same delivery id', async (t) => {
  t.is((await summary()).wronglyDelivered, 0);
});

test('each referral’s events reach a subscriber in order', async (t) => {
  t.is((await summary()).outOfOrder, 0);
});
