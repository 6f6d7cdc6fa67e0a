import test from 'ava';
import { connectorKillRun, type FaultSummary } from '../../bench/faults/connector-kill.js';

// One short run (the full one is `npm run faults`), shared by the checks below.
let run: Promise<FaultSummary> | undefined;
const summary = () => (run ??= connectorKillRun({ messages: 300, kills: 2, lanes: 3, drainMs: 40_000 }));

test('the connector is killed while messages flow', async (t) => {
  t.is((await summary()).kills, 2);
});

test('every acked referral reaches the api despite kills and api faults', async (t) => {
  const s = await summary();
  t.true(s.expected > 200);
  t.is(s.pending, 0);
  t.is(s.lost, 0);
});

test('no referral takes effect twice', async (t) => {
  t.is((await summary()).duplicated, 0);
});

test('each patient’s referrals arrive in the order they were sent', async (t) => {
  t.is((await summary()).outOfOrder, 0);
});

test('rejected, erroneous and filtered messages are never delivered', async (t) => {
  const s = await summary();
  t.true(s.faultsInjected.notAA! > 0);
  t.is(s.wronglyDelivered, 0);
});
