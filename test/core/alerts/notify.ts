import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { pino } from 'pino';
import { Gauge, Registry } from 'prom-client';
import { SMTPServer } from 'smtp-server';
import { createAlerter } from '../../../core/alerts/alerter.js';
import { alertsConfigSchema } from '../../../core/alerts/config.js';
import { ManualClock } from '../../../core/clock.js';
import { makeTestPki, writeTestPki } from '../../helpers/tls-certs.js';
import { tempDir } from '../../helpers/temp.js';
import { startReceiver, startSmtp } from './_receivers.js';

const pki = makeTestPki();

async function setup(t: import('ava').ExecutionContext) {
  const smtp = await startSmtp(t, pki);
  const json = await startReceiver(t);
  const teams = await startReceiver(t);
  const files = writeTestPki(pki, tempDir(t));
  const registry = new Registry();
  const dead = new Gauge({ name: 'caraloom_connector_dead_letters', help: 'dead letters', registers: [registry] });
  const clock = new ManualClock(Date.parse('2026-12-02T08:00:00Z'));
  const config = alertsConfigSchema.parse({
    reminder: '1h',
    webhooks: [{ url: json.url }, { url: teams.url, format: 'teams' }],
    email: { host: '127.0.0.1', port: smtp.port, user: 'alerts', password: 'smtp-password-0123', from: 'caraloom@hospital.example', to: ['oncall@hospital.example'], caFile: files.ca },
  });
  const alerter = createAlerter({ service: 'connector', registry, config, clock, logger: pino({ level: 'silent' }), instance: 'test-host' });
  t.teardown(() => alerter.stop());
  return { smtp, json, teams, dead, clock, alerter };
}

test('a condition sends one mail and one webhook of each format when it starts, a reminder later, one on clear', async (t) => {
  const { smtp, json, teams, dead, clock, alerter } = await setup(t);
  dead.set(3);
  t.deepEqual((await alerter.tick()).map((notice) => notice.kind), ['firing']);
  for (let i = 0; i < 10; i++) {
    clock.advance(30_000);
    dead.set(3 + i * 100);
    t.deepEqual(await alerter.tick(), [], 'no notice while it lasts, however many more dead letters');
  }
  clock.advance(3_600_000);
  t.deepEqual((await alerter.tick()).map((notice) => notice.kind), ['reminder']);
  dead.set(0);
  clock.advance(30_000);
  t.deepEqual((await alerter.tick()).map((notice) => notice.kind), ['resolved']);

  t.is(smtp.mails.length, 3);
  t.true(smtp.mails.every((mail) => mail.secure), 'sent over STARTTLS, checked against the configured CA');
  t.deepEqual(smtp.mails[0]!.to, ['oncall@hospital.example']);
  t.regex(smtp.mails[0]!.raw, /Subject: \[CaraLoom FIRING\] CaraloomDeadLetters on connector@test-host/);
  t.regex(smtp.mails[1]!.raw, /Subject: \[CaraLoom STILL FIRING\]/);
  t.regex(smtp.mails[2]!.raw, /Subject: \[CaraLoom RESOLVED\]/);
  t.like(json.bodies[0], { source: 'caraloom-connect', status: 'firing', alert: 'CaraloomDeadLetters', service: 'connector', instance: 'test-host', summary: '3 dead letter(s) need an operator', runbook: 'docs/operations.md#caraloomdeadletters' });
  t.deepEqual(json.bodies.map((body) => (body as { status: string }).status), ['firing', 'reminder', 'resolved']);
  t.like(teams.bodies[0], { '@type': 'MessageCard', themeColor: 'F2C744' });
  t.is(teams.bodies.length, 3);
});

test('a notice the mail server could not take is retried at the next round, and other notifiers are not sent it twice', async (t) => {
  // The SMTP port is reserved but nothing listens yet: the mail server is down.
  const reserve = http.createServer();
  await new Promise<void>((resolve) => reserve.listen(0, '127.0.0.1', resolve));
  const port = (reserve.address() as AddressInfo).port;
  await new Promise<void>((resolve) => reserve.close(() => resolve()));
  const json = await startReceiver(t);
  const registry = new Registry();
  const dead = new Gauge({ name: 'caraloom_connector_dead_letters', help: 'dead letters', registers: [registry] });
  const config = alertsConfigSchema.parse({ webhooks: [{ url: json.url }], email: { host: '127.0.0.1', port, requireTls: false, from: 'caraloom@hospital.example', to: ['oncall@hospital.example'], timeout: '2s' } });
  const alerter = createAlerter({ service: 'connector', registry, config, clock: new ManualClock(), logger: pino({ level: 'silent' }), instance: 'test-host' });
  t.teardown(() => alerter.stop());
  dead.set(1);
  t.deepEqual((await alerter.tick()).map((notice) => notice.kind), ['firing']);
  t.is(alerter.pending(), 1, 'the mail is kept for the next round');
  t.is(json.bodies.length, 1);

  const mails: string[] = [];
  const server = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], onData(stream, _session, done) {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => (mails.push(Buffer.concat(chunks).toString('utf8')), done()));
  } });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  t.deepEqual(await alerter.tick(), [], 'no new notice: the condition is the same');
  t.is(alerter.pending(), 0);
  t.is(mails.length, 1);
  t.regex(mails[0]!, /\[CaraLoom FIRING\] CaraloomDeadLetters/);
  t.is(json.bodies.length, 1, 'the webhook got it once');
});
