import test from 'ava';
import { fuzzScenario, type FuzzRow } from '../../bench/scenarios/fuzz.js';

// A short socket-level fuzz run (the full one is in `npm run bench`).
let run: Promise<FuzzRow> | undefined;
const result = () => (run ??= fuzzScenario(400, 8, () => undefined, { idle: 100, lanes: 3, slowLanes: 1 }));

test('the connector survives malformed, partial, oversize and slow frames', async (t) => {
  const r = await result();
  t.true(r.frames > 50);
  t.true(r.alive);
});

test('every complete frame is answered or its connection closed', async (t) => {
  const r = await result();
  t.is(r.hung, 0);
  t.is(r.answered + r.closedUnanswered, r.frames);
});

test('idle connections are held and the connection limit refuses the rest', async (t) => {
  const r = await result();
  t.is(r.idleHeld, 100);
  t.is(r.refusedOverLimit, r.overLimitExpected);
});
