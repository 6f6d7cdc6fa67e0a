import { readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import type { Referral } from '../../sandbox/domain.js';
import { SandboxStore } from '../../sandbox/store/store.js';
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
  store.data.idempotency['key_x first'] = { keyId: 'key_x', key: 'first', fingerprint: 'f', referralId: 'ref_0', createdAt: '' };
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
