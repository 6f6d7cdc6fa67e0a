import { readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { SandboxStore } from '../../sandbox/store/store.js';
import { sample, startSandbox } from './_harness.js';

// Issue #16 aim 5: a burst of referrals shares synced writes, and every 201 means the referral is already on disk.

test('200 concurrent referral creations share far fewer synced writes, and every answered one is on disk', async (t) => {
  // Rate limits off: this is a burst from one key, as a connector's delivery workers send it.
  const run = await startSandbox(t, { config: { ratePerMinute: 0, ratePerDay: 0 } });
  const store = run.sandbox.deps!.store;
  const before = store.writeCount;
  const answers = await Promise.all(Array.from({ length: 200 }, () => run.call('/v1/discharge-referrals', { method: 'POST', json: sample('referral-chf.json') })));
  const writes = store.writeCount - before;
  const ids = answers.map((answer) => answer.body.data?.id as string);
  // Read back before anything else can flush: what the answers promised must already be on disk (the file and its change log).
  const fresh = await SandboxStore.open({ file: path.join(run.dataDir, 'sandbox.json') });
  const onDisk = new Set(Object.keys(fresh.data.referrals));
  // Once the store rewrites the file, the file alone holds them.
  await store.commit();
  const inText = JSON.parse(readFileSync(path.join(run.dataDir, 'sandbox.json'), 'utf8')) as { referrals: Record<string, unknown> };
  t.deepEqual(
    { statuses: [...new Set(answers.map((answer) => answer.status))], distinct: new Set(ids).size, missing: ids.filter((id) => !onDisk.has(id)), missingInText: ids.filter((id) => !(id in inText.referrals)) },
    { statuses: [201], distinct: 200, missing: [], missingInText: [] },
  );
  // How many share one sync depends on how fast the disk syncs (a quiet machine syncs sooner, in smaller
  // groups: 56 seen once); one write per referral is what this guards against.
  t.true(writes <= 100, `200 referrals took ${writes} synced writes`);
});

test('a stored referral cannot be changed in place, so its kept line stays true', async (t) => {
  const run = await startSandbox(t);
  const { body } = await run.call('/v1/discharge-referrals', { method: 'POST', json: sample('referral-chf.json') });
  const stored = run.sandbox.deps!.store.data.referrals[body.data.id]!;
  t.throws(() => {
    (stored as { status: string }).status = 'cancelled';
  }, { instanceOf: TypeError });
});
