import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import type { Referral } from '../../sandbox/domain.js';
import { ensureKeyFile } from '../../core/crypto/keys.js';
import { SandboxStore } from '../../sandbox/store/store.js';
import { eventuallyValue } from '../helpers/eventually.js';
import { tempDir } from '../helpers/temp.js';

function referral(id: string): Referral {
  const at = '2026-01-01T00:00:00.000Z';
  return {
    id, status: 'pending', primaryDiagnosis: { input: 'CHF', display: 'Heart failure' }, careType: 'Skilled Nursing', zip: '78701', priority: 'routine',
    patient: { id: 'p' }, encounterId: 'e', matches: [], keyId: 'key_x', source: 'native', createdAt: at, updatedAt: at,
  };
}

test('changes made during a write share the next write', async (t) => {
  const store = await SandboxStore.open({ file: path.join(tempDir(t), 'sandbox.json') });
  const commits: Promise<void>[] = [];
  for (let i = 0; i < 50; i++) {
    store.addReferral(referral(`ref_${i}`));
    commits.push(store.commit());
  }
  await Promise.all(commits);
  t.true(store.writeCount <= 2);
});

test('a commit resolves once its change is on disk', async (t) => {
  const file = path.join(tempDir(t), 'sandbox.json');
  const store = await SandboxStore.open({ file });
  store.addReferral(referral('ref_a'));
  await store.commit();
  t.deepEqual(Object.keys(JSON.parse(readFileSync(file, 'utf8')).referrals), ['ref_a']);
});

test('the oldest referrals are dropped beyond the bound, with their idempotency records', async (t) => {
  const store = await SandboxStore.open({ file: path.join(tempDir(t), 'sandbox.json'), maxReferrals: 10 });
  store.remember('key_x first', { keyId: 'key_x', key: 'first', fingerprint: 'f', referralId: 'ref_0', createdAt: '' });
  for (let i = 0; i < 12; i++) store.addReferral(referral(`ref_${i}`));
  t.deepEqual({ first: Object.keys(store.data.referrals)[0], count: Object.keys(store.data.referrals).length, idempotency: Object.keys(store.data.idempotency) }, { first: 'ref_2', count: 10, idempotency: [] });
});

test('the store reopens with what was committed', async (t) => {
  const file = path.join(tempDir(t), 'sandbox.json');
  const store = await SandboxStore.open({ file });
  store.addReferral(referral('ref_kept'));
  await store.commit();
  await store.close();
  const reopened = await SandboxStore.open({ file });
  t.deepEqual(Object.keys(reopened.data.referrals), ['ref_kept']);
});

test('the file holds one referral per line and stays valid json', async (t) => {
  const file = path.join(tempDir(t), 'sandbox.json');
  const store = await SandboxStore.open({ file });
  store.addReferral(referral('ref_a'));
  store.addReferral(referral('ref_b'));
  await store.commit();
  const text = readFileSync(file, 'utf8');
  t.deepEqual(
    { lines: text.split('\n').filter((line) => line.startsWith('  "ref_')).length, parsed: Object.keys(JSON.parse(text).referrals) },
    { lines: 2, parsed: ['ref_a', 'ref_b'] },
  );
});

const logFiles = (file: string) => readdirSync(path.dirname(file)).filter((name) => name.endsWith('.wal'));

test('a saved change is on disk before the file is rewritten: a fresh open replays the change log', async (t) => {
  const file = path.join(tempDir(t), 'sandbox.json');
  const store = await SandboxStore.open({ file, checkpointMs: 60_000 });
  store.addReferral(referral('ref_a'));
  store.remember('key_x k1', { keyId: 'key_x', key: 'k1', fingerprint: 'f', referralId: 'ref_a', createdAt: '' });
  store.data.pendingEvents.push('ref_a');
  await store.save();
  // As if the process died now: nothing closed, the file not rewritten.
  const fresh = await SandboxStore.open({ file });
  t.deepEqual(
    { file: existsSync(file), logs: logFiles(file).length, referrals: Object.keys(fresh.data.referrals), idempotency: Object.keys(fresh.data.idempotency), pending: fresh.data.pendingEvents },
    { file: false, logs: 1, referrals: ['ref_a'], idempotency: ['key_x k1'], pending: ['ref_a'] },
  );
  t.deepEqual(fresh.data.referrals.ref_a, referral('ref_a'));
  t.true(Object.isFrozen(fresh.data.referrals.ref_a));
});

test('a checkpoint folds the change log into the file and deletes it; deletions replay too', async (t) => {
  const file = path.join(tempDir(t), 'sandbox.json');
  const store = await SandboxStore.open({ file, maxReferrals: 3, checkpointMs: 60_000 });
  for (let i = 0; i < 3; i++) store.addReferral(referral(`ref_${i}`));
  await store.commit();
  t.deepEqual(logFiles(file), []);
  // Two more drop the two oldest: the log must carry the deletions.
  store.addReferral(referral('ref_3'));
  await store.save();
  store.addReferral(referral('ref_4'));
  store.data.pendingEvents = ['ref_4'];
  await store.save();
  const replayed = await SandboxStore.open({ file });
  t.deepEqual({ referrals: Object.keys(replayed.data.referrals), pending: replayed.data.pendingEvents }, { referrals: ['ref_2', 'ref_3', 'ref_4'], pending: ['ref_4'] });
  await store.close();
  t.deepEqual({ logs: logFiles(file), inFile: Object.keys(JSON.parse(readFileSync(file, 'utf8')).referrals) }, { logs: [], inFile: ['ref_2', 'ref_3', 'ref_4'] });
});

test('the store rewrites the file on its own shortly after a save', async (t) => {
  const file = path.join(tempDir(t), 'sandbox.json');
  const store = await SandboxStore.open({ file, checkpointMs: 10 });
  t.teardown(() => store.close());
  store.addReferral(referral('ref_a'));
  await store.save();
  const inFile = await eventuallyValue(
    async () => (existsSync(file) && logFiles(file).length === 0 ? Object.keys(JSON.parse(readFileSync(file, 'utf8')).referrals) : []),
    (ids) => ids.length === 1,
    15_000,
  );
  t.deepEqual(inFile, ['ref_a']);
});

test('a change log line cut short by a crash is skipped; a damaged line before others is refused', async (t) => {
  const file = path.join(tempDir(t), 'sandbox.json');
  const store = await SandboxStore.open({ file, checkpointMs: 60_000 });
  store.addReferral(referral('ref_a'));
  await store.save();
  const [log] = logFiles(file);
  const logPath = path.join(path.dirname(file), log!);
  const good = readFileSync(logPath, 'utf8');
  appendFileSync(logPath, '{"set":{"referrals":{"ref_b":{"id":"re');
  t.deepEqual(Object.keys((await SandboxStore.open({ file })).data.referrals), ['ref_a']);
  writeFileSync(logPath, `{"set":{"refer\n${good}`);
  await t.throwsAsync(SandboxStore.open({ file }), { code: 'SANDBOX_STORE_UNREADABLE' } as never);
});

test('with a data key the change log holds referrals sealed, never in clear', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'sandbox.json');
  ensureKeyFile(dir);
  const store = await SandboxStore.open({ file, checkpointMs: 60_000 });
  store.addReferral({ ...referral('ref_a'), notes: 'stairs at Shoal Creek', patient: { id: 'pt-masked-7731' } });
  await store.save();
  const text = logFiles(file).map((name) => readFileSync(path.join(dir, name), 'utf8')).join('');
  t.deepEqual(['Shoal Creek', 'pt-masked-7731', 'Heart failure'].filter((value) => text.includes(value)), []);
  t.regex(JSON.parse(text).set.referrals.ref_a.sealed, /^v1:/);
  t.is((await SandboxStore.open({ file })).data.referrals.ref_a!.notes, 'stairs at Shoal Creek');
});

test('after any mix of saves and overlapping checkpoints, a fresh open reads what was saved', async (t) => {
  const file = path.join(tempDir(t), 'sandbox.json');
  const store = await SandboxStore.open({ file, maxReferrals: 5, checkpointMs: 60_000 });
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const view = (data: typeof store.data) => JSON.stringify({ ...data, referrals: Object.keys(data.referrals), idempotency: Object.entries(data.idempotency) });
  const mismatches: number[] = [];
  let next = 0;
  for (let step = 0; step < 120; step++) {
    const checkpoints: Promise<void>[] = [];
    for (let change = 0; change < 1 + Math.floor(random() * 4); change++) {
      const pick = random();
      if (pick < 0.4) store.addReferral(referral(`ref_${next++}`));
      else if (pick < 0.6) store.remember(`key_x ${Math.floor(random() * 4)}`, { keyId: 'key_x', key: 'k', fingerprint: String(step), referralId: `ref_${next - 1}`, createdAt: '' });
      else if (pick < 0.7) delete store.data.idempotency[`key_x ${Math.floor(random() * 4)}`];
      else if (pick < 0.85) store.data.pendingEvents = Object.keys(store.data.referrals).filter(() => random() < 0.5);
      else checkpoints.push(store.commit());
      // A checkpoint starts while later changes are made and saved.
      if (random() < 0.3) checkpoints.push(store.commit());
    }
    await store.save();
    await Promise.all(checkpoints);
    const fresh = await SandboxStore.open({ file });
    if (view(fresh.data) !== view(store.data)) mismatches.push(step);
  }
  t.deepEqual(mismatches, []);
});
