import test from 'ava';
import type http from 'node:http';
import { request } from 'undici';
import { Webhook } from 'standardwebhooks';
import { buildAck } from '../../connector/hl7/ack.js';
import { parseHl7 } from '../../connector/hl7/parse.js';
import { silentLogger } from '../../core/logger.js';
import { createMllpServer } from '../../core/mllp/server.js';
import { inboxQueue } from '../../relay/match.js';
import { registerRelay } from '../../relay/register.js';
import { addSecretToFile, defaultSecretsFile } from '../../relay/secrets.js';
import { createSandbox, sandboxConfig } from '../../sandbox/service.js';
import { tempDir } from '../helpers/temp.js';
import { startRelay, startSubscriber, until } from './_support.js';

const secrets = { ehr: 'whsec_ZWhyLXN1YnNjcmliZXItc2VjcmV0LW9uZQ==', care: 'whsec_Y2FyZS1hcHAtc3Vic2NyaWJlci1zZWNyZXQ=' };

const headersOf = (headers: http.IncomingHttpHeaders): Record<string, string> => Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, String(value)]));

test('sandbox referrals reach two http subscribers and one mllp subscriber once each, re-signed', async (t) => {
  const sandbox = createSandbox({
    config: sandboxConfig({ port: 0, clinicians: 400, webhooks: { retrySchedule: [0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05] } }),
    store: { kind: 'sqlite', synchronous: 'normal' },
    dataDir: tempDir(t, 'sandbox-'),
    logger: silentLogger(),
  });
  const [api] = await sandbox.start();
  t.teardown(() => sandbox.stop());
  const apiKey = await sandbox.issueKey('relay-e2e@example.org');

  const ehrMessages: string[] = [];
  const ehr = createMllpServer({
    port: 0,
    onFrame: (payload) => {
      const message = parseHl7(payload.toString('utf8'));
      ehrMessages.push(message.text);
      return buildAck(message, { code: 'AA' });
    },
  });
  const { port: mllpPort } = await ehr.start();
  t.teardown(() => ehr.stop(1_000));
  const worklist = await startSubscriber(t);
  const careApp = await startSubscriber(t);

  const relay = await startRelay(t, {
    secrets: [],
    subscribers: [
      { name: 'worklist', kind: 'http', url: worklist.url, secret: secrets.ehr, events: ['referral.*'] },
      { name: 'care-app', kind: 'http', url: careApp.url, secret: secrets.care, events: ['referral.created', 'referral.matched'] },
      { name: 'emr', kind: 'mllp', host: '127.0.0.1', port: mllpPort, mapping: 'mappings/relay/referral-rri-i12.yaml', events: ['referral.matched'] },
    ],
  });
  // What `caraloom relay register` does: register with the API, keep the secret in the relay's 0600 file.
  const registration = await registerRelay({ apiUrl: api!.url, apiKey, url: `${relay.url}/webhooks/caraloom` });
  addSecretToFile(defaultSecretsFile(relay.dataDir), registration.secret);

  const referrals = [
    { primary_diagnosis: 'CHF', care_type: 'Home Health', zip: '78701' },
    { primary_diagnosis: 'COPD', care_type: 'Skilled Nursing', zip: '10001' },
  ];
  for (const body of referrals) {
    const response = await request(`${api!.url}/v1/discharge-referrals`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await response.body.dump();
    t.is(response.statusCode, 201);
  }

  await until(() => worklist.received.length >= 4 && careApp.received.length >= 4 && ehrMessages.length >= 2, 20_000);
  // Every delivery recorded as done: nothing left that could arrive again.
  await until(async () => (await relay.relay.journal()!.counts()).queued === 0, 20_000);
  t.is(worklist.received.length, 4);
  t.is(careApp.received.length, 4);
  t.is(ehrMessages.length, 2);

  for (const [endpoint, key] of [[worklist, secrets.ehr], [careApp, secrets.care]] as const) {
    const types = endpoint.received.map((got) => (new Webhook(key).verify(got.body, headersOf(got.headers)) as { type: string }).type);
    t.deepEqual(types.sort(), ['referral.created', 'referral.created', 'referral.matched', 'referral.matched']);
    t.is(new Set(endpoint.received.map((got) => got.headers['webhook-id'])).size, 4);
  }
  const messages = ehrMessages.map((text) => parseHl7(text));
  t.deepEqual(messages.map((message) => `${message.header.messageType}^${message.header.triggerEvent}`), ['RRI^I12', 'RRI^I12']);
  const inbox = await relay.relay.journal()!.list({ queue: inboxQueue, limit: 100 });
  t.true(inbox.filter((item) => String(item.meta.type).startsWith('referral.')).length === 4);
});
