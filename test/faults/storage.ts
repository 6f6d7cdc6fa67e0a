import test from 'ava';
import { canMountTmpfs, connectorStorageRun, relayStorageRun } from '../../bench/faults/storage.js';

// A full disk is made with a small tmpfs, which needs root (CI runs as root).
// Without root the two checks are reported as skipped, by name, never passed.
const run = canMountTmpfs() ? test : test.skip;
run('the connector answers AR 207 while its journal disk is full and AA once it has room', async (t) => {
  const phase = await connectorStorageRun(10);
  t.deepEqual(phase.before, { AA: 10 });
  t.deepEqual(phase.full, { AR: 10 });
  t.is(phase.refusalsNamed207, 10);
  t.deepEqual(phase.after, { AA: 10 });
  t.true(phase.alive);
  t.true(phase.deliveredAll);
});

run('the relay answers 503 while its journal disk is full and 200 once it has room', async (t) => {
  const phase = await relayStorageRun(10);
  t.deepEqual(phase.before, { '200': 10 });
  t.deepEqual(phase.full, { '503': 10 });
  t.deepEqual(phase.after, { '200': 10 });
  t.true(phase.alive);
  t.true(phase.deliveredAll);
});
