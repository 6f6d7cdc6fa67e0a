import test from 'ava';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { emptyCounts } from '../../core/journal/types.js';
import { signCaraloom, signStandard } from '../../core/signature.js';
import { inboxQueue, subscriberQueue } from '../../relay/match.js';
import { eventBody, sampleEvent, secret, startRelay, type StartedRelay } from './_support.js';

const subscribers = [{ name: 'worklist', kind: 'log' }];

const stored = async (relay: StartedRelay) => relay.relay.journal()!.counts();

test('a validly signed event is stored with its deliveries and answered 200', async (t) => {
  const relay = await startRelay(t, { subscribers });
  const { raw, event } = sampleEvent();
  const header = signCaraloom(secret, raw);
  t.true(await octokitVerify(secret, raw, header), 'the same body and header pass @octokit/webhooks-methods');
  const answer = await relay.post(raw, { 'x-caraloom-signature': header });
  t.is(answer.status, 200);
  t.like(answer.body, { received: true, id: event.id, duplicate: false, deliveries: 1 });
  const journal = relay.relay.journal()!;
  t.is((await journal.getByKey(inboxQueue, event.id))?.status, 'delivered');
  t.truthy(await journal.getByKey(subscriberQueue('worklist'), event.id));
});

const refused: Array<[string, (raw: string) => Record<string, string>, string?]> = [
  ['a tampered body', (raw) => ({ 'x-caraloom-signature': signCaraloom(secret, raw.replace('78701', '78702')) })],
  ['a wrong secret', (raw) => ({ 'x-caraloom-signature': signCaraloom('whsec_not-the-configured-secret', raw) })],
  ['a missing signature header', () => ({})],
  ['an upper-case hex signature', (raw) => ({ 'x-caraloom-signature': `sha256=${signCaraloom(secret, raw).slice(7).toUpperCase()}` })],
  [
    'an old signed timestamp',
    (raw) => {
      const old = Math.floor(Date.now() / 1000) - 600;
      return { 'x-caraloom-signature': signCaraloom(secret, raw), 'webhook-id': 'evt_x', 'webhook-timestamp': String(old), 'webhook-signature': signStandard(secret, 'evt_x', old, raw) };
    },
  ],
];

for (const [name, headers] of refused) {
  test(`${name} is refused with 401 and nothing is stored`, async (t) => {
    const relay = await startRelay(t, { subscribers });
    const { raw } = sampleEvent();
    const answer = await relay.post(raw, headers(raw));
    t.is(answer.status, 401);
    t.is((answer.body.error as { code: string }).code, 'SIGNATURE_INVALID');
    t.deepEqual(await stored(relay), emptyCounts());
  });
}

test('an oversize body is refused with 413 and nothing is stored', async (t) => {
  const relay = await startRelay(t, { subscribers, bodyLimit: 4_096 });
  const { event } = sampleEvent();
  const raw = JSON.stringify({ ...event, data: { ...event.data, notes: 'x'.repeat(8_000) } });
  const answer = await relay.post(raw, { 'x-caraloom-signature': signCaraloom(secret, raw) });
  t.is(answer.status, 413);
  t.deepEqual(await stored(relay), emptyCounts());
});

test('an oversize chunked body without content-length is refused with 413', async (t) => {
  const relay = await startRelay(t, { subscribers, bodyLimit: 4_096 });
  const body = Readable.from(Array.from({ length: 10 }, () => Buffer.alloc(1_000, 0x61)));
  const response = await request(`${relay.url}/webhooks/caraloom`, { method: 'POST', headers: { 'x-caraloom-signature': 'sha256=00' }, body });
  await response.body.dump();
  t.is(response.statusCode, 413);
  t.deepEqual(await stored(relay), emptyCounts());
});

test('a signed body that is not an event is refused with 400 and nothing is stored', async (t) => {
  const relay = await startRelay(t, { subscribers });
  const raw = JSON.stringify({ type: 'referral.matched', data: {} });
  const answer = await relay.post(raw, { 'x-caraloom-signature': signCaraloom(secret, raw) });
  t.is(answer.status, 400);
  t.deepEqual(await stored(relay), emptyCounts());
});

test('events signed with the old or the new secret are both accepted during a rotation', async (t) => {
  const next = 'whsec_bmV3LXNlY3JldC1hZnRlci1yb3RhdGlvbi0x';
  const relay = await startRelay(t, { subscribers, secrets: [next, secret] });
  t.is((await relay.send(eventBody('evt_old_secret'), { secret })).status, 200);
  t.is((await relay.send(eventBody('evt_new_secret'), { secret: next })).status, 200);
  t.is((await relay.send(eventBody('evt_retired'), { secret: 'whsec_retired-secret-not-active' })).status, 401);
  t.is((await relay.relay.journal()!.counts(inboxQueue)).delivered, 2);
});

test('CARALOOM_WEBHOOK_SECRET overrides the configured secrets and takes a comma-separated list', async (t) => {
  const relay = await startRelay(t, { subscribers }, { env: { CARALOOM_WEBHOOK_SECRET: 'env-secret-one-0123456789abcdef, env-secret-two-0123456789abcdef' } });
  t.is((await relay.send(eventBody('evt_env_two'), { secret: 'env-secret-two-0123456789abcdef' })).status, 200);
  t.is((await relay.send(eventBody('evt_config'), { secret })).status, 401);
});

test('a secret added to the secrets file is used without a restart', async (t) => {
  const relay = await startRelay(t, { subscribers, secrets: [] });
  t.is((await relay.send(eventBody('evt_before'))).status, 503);
  writeFileSync(path.join(relay.dataDir, 'relay-secrets'), `${secret}\n`, { mode: 0o600 });
  t.is((await relay.send(eventBody('evt_after'))).status, 200);
});

test('a duplicate event id is answered 200 and delivered once', async (t) => {
  const relay = await startRelay(t, { subscribers });
  const body = eventBody('evt_dup_1');
  const first = await relay.send(body);
  const second = await relay.send(body);
  t.like(first.body, { duplicate: false });
  t.like(second.body, { duplicate: true });
  const journal = relay.relay.journal()!;
  t.is((await journal.list({ queue: subscriberQueue('worklist') })).length, 1);
  t.is((await journal.list({ queue: inboxQueue })).length, 1);
});

test('concurrent copies of one event are stored once', async (t) => {
  const relay = await startRelay(t, { subscribers });
  const body = eventBody('evt_race');
  const answers = await Promise.all([relay.send(body), relay.send(body), relay.send(body)]);
  t.deepEqual(answers.map((answer) => answer.status), [200, 200, 200]);
  t.is((await relay.relay.journal()!.list({ queue: subscriberQueue('worklist') })).length, 1);
});

test('an event goes only to subscribers whose types and filters it matches', async (t) => {
  const relay = await startRelay(t, {
    subscribers: [
      { name: 'all', kind: 'log' },
      { name: 'created-only', kind: 'log', events: ['referral.created'] },
      { name: 'home-health', kind: 'log', events: ['referral.*'], filter: { care_type: ['Home Health', 'Hospice'] } },
      { name: 'snf', kind: 'log', filter: { care_type: 'Skilled Nursing' } },
    ],
  });
  const answer = await relay.send(eventBody('evt_routed'));
  t.like(answer.body, { deliveries: 2 });
  const journal = relay.relay.journal()!;
  const queued = await journal.list({ queuePrefix: 'relay.sub.' });
  t.deepEqual(queued.map((item) => item.meta.subscriber).sort(), ['all', 'home-health']);
});
