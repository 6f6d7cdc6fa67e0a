import { writeFileSync } from 'node:fs';
import type net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import test, { type ExecutionContext } from 'ava';
import { buildAck } from '../../connector/hl7/ack.js';
import type { AckCode } from '../../connector/hl7/ack-mode.js';
import { parseHl7 } from '../../connector/hl7/parse.js';
import { createMllpServer } from '../../core/mllp/server.js';
import { subscriberQueue } from '../../relay/match.js';
import { tempDir } from '../helpers/temp.js';
import { makeTestPki } from '../helpers/tls-certs.js';
import { eventBody, startRelay, until } from './_support.js';

/** A test EHR on port 0 answering each message with `code` (AA unless told). */
async function startEhr(t: ExecutionContext, code: (index: number) => AckCode = () => 'AA') {
  const received: string[] = [];
  const server = createMllpServer({
    port: 0,
    onFrame: (payload) => {
      const message = parseHl7(payload.toString('utf8'));
      received.push(message.text);
      return buildAck(message, { code: code(received.length - 1), text: code(received.length - 1) === 'AA' ? undefined : 'cannot file referral' });
    },
  });
  const { port } = await server.start();
  t.teardown(() => server.stop(1_000));
  return { port, received };
}

const mllp = (port: number, extra: Record<string, unknown> = {}) => ({ name: 'emr', kind: 'mllp', host: '127.0.0.1', port, mapping: 'mappings/relay/referral-rri-i12.yaml', ...extra });

test('an mllp subscriber gets each event as an hl7 message and an aa marks it delivered', async (t) => {
  const ehr = await startEhr(t);
  const relay = await startRelay(t, { subscribers: [mllp(ehr.port)] });
  for (const id of ['evt_mllp_1', 'evt_mllp_2']) t.is((await relay.send(eventBody(id))).status, 200);
  const journal = relay.relay.journal()!;
  await until(async () => (await journal.counts(subscriberQueue('emr'))).delivered === 2);
  t.is(ehr.received.length, 2);
  const first = parseHl7(ehr.received[0]!);
  t.is(`${first.header.messageType}^${first.header.triggerEvent}`, 'RRI^I12');
  const item = await journal.getByKey(subscriberQueue('emr'), 'evt_mllp_1');
  t.like(item?.result, { ack: 'AA', controlId: first.header.controlId });
  const attempts = await journal.attempts(item!.id);
  t.regex(attempts[0]!.response ?? '', /^MSH\|.*\nMSA\|AA\|/s);
});

test('events the template does not render are not queued for the mllp subscriber', async (t) => {
  const ehr = await startEhr(t);
  const relay = await startRelay(t, { subscribers: [mllp(ehr.port)] });
  const answer = await relay.send(JSON.stringify({ id: 'evt_ping_1', type: 'ping', created_at: new Date().toISOString(), data: {} }));
  t.like(answer.body, { deliveries: 0 });
});

test('an ae is kept with the ack and retried with the same control id', async (t) => {
  const ehr = await startEhr(t, (index) => (index === 0 ? 'AE' : 'AA'));
  const relay = await startRelay(t, { subscribers: [mllp(ehr.port, { retrySchedule: ['10ms', '10ms'] })] });
  await relay.send(eventBody('evt_mllp_ae'));
  const journal = relay.relay.journal()!;
  await until(async () => (await journal.getByKey(subscriberQueue('emr'), 'evt_mllp_ae'))?.status === 'delivered');
  const item = await journal.getByKey(subscriberQueue('emr'), 'evt_mllp_ae');
  const attempts = await journal.attempts(item!.id);
  t.deepEqual(attempts.map((attempt) => [attempt.ok, attempt.error ?? null]), [[false, 'HL7 AE'], [true, null]]);
  t.regex(attempts[0]!.response ?? '', /MSA\|AE\|.*cannot file referral/);
  t.is(parseHl7(ehr.received[0]!).header.controlId, parseHl7(ehr.received[1]!).header.controlId);
});

test('an ar sends the delivery to dead letters at once', async (t) => {
  const ehr = await startEhr(t, () => 'AR');
  const relay = await startRelay(t, { subscribers: [mllp(ehr.port)] });
  await relay.send(eventBody('evt_mllp_ar'));
  const journal = relay.relay.journal()!;
  await until(async () => (await journal.getByKey(subscriberQueue('emr'), 'evt_mllp_ar'))?.status === 'dead');
  const item = await journal.getByKey(subscriberQueue('emr'), 'evt_mllp_ar');
  t.is(item?.lastError, 'HL7 AR');
  t.like(item?.result, { ack: 'AR' });
});

test('an mllp subscriber over tls with a client certificate verifies the server and is accepted', async (t) => {
  const pki = makeTestPki();
  const dir = tempDir(t, 'relay-tls-');
  const file = (name: string, text: string) => (writeFileSync(path.join(dir, name), text), path.join(dir, name));
  const received: string[] = [];
  const server = createMllpServer({
    port: 0,
    tls: { key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, requestCert: true },
    onFrame: (payload) => {
      const message = parseHl7(payload.toString('utf8'));
      received.push(message.header.controlId);
      return buildAck(message, { code: 'AA' });
    },
  });
  const { port } = await server.start();
  t.teardown(() => server.stop(1_000));
  const relay = await startRelay(t, { subscribers: [mllp(port, { tls: { ca: file('ca.pem', pki.ca), cert: file('client.pem', pki.clientCert), key: file('client.key', pki.clientKey) } })] });
  await relay.send(eventBody('evt_mllps'));
  await until(async () => (await relay.relay.journal()!.getByKey(subscriberQueue('emr'), 'evt_mllps'))?.status === 'delivered');
  t.is(received.length, 1);
});

test('an mllp subscriber over tls refuses a server its ca did not sign and keeps retrying', async (t) => {
  const pki = makeTestPki();
  const dir = tempDir(t, 'relay-tls-');
  writeFileSync(path.join(dir, 'other-ca.pem'), pki.strangerCert);
  // A bare TLS server: the relay must give up during the handshake, before any MLLP.
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ key: pki.serverKey, cert: pki.serverCert }, (socket) => socket.destroy());
  server.on('connection', (socket: net.Socket) => (sockets.add(socket), socket.on('close', () => sockets.delete(socket))));
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const relay = await startRelay(t, { subscribers: [mllp(port, { tls: { ca: path.join(dir, 'other-ca.pem') } })] });
  await relay.send(eventBody('evt_mllps_bad'));
  const journal = relay.relay.journal()!;
  await until(async () => ((await journal.getByKey(subscriberQueue('emr'), 'evt_mllps_bad'))?.attempts ?? 0) >= 1);
  const item = await journal.getByKey(subscriberQueue('emr'), 'evt_mllps_bad');
  t.is(item?.status, 'queued');
  t.regex(item?.lastError ?? '', /MLLP_CONNECT_FAILED/);
});
