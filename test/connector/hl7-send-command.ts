import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import yargs from 'yargs';
import { createMllpServer } from '../../core/mllp/server.js';
import { buildAck } from '../../connector/hl7/ack.js';
import { readHl7 } from '../../connector/hl7/read.js';
import { runSend, sendCommand, type SendOptions } from '../../cli/commands/send.js';
import { SAMPLES_DIR } from '../helpers/corpus.js';

const sample = (name: string) => path.join(SAMPLES_DIR, 'hl7', name);

/** A connector stand-in: AA, except AE for a message without DG1 and nothing at all for the ORM. */
async function connector(t: ExecutionContext) {
  const server = createMllpServer({
    port: 0,
    onFrame: async (payload) => {
      const message = readHl7(payload);
      if (message.header.messageType === 'ORM') return undefined;
      const hasDiagnosis = message.segments.some((s) => s.name === 'DG1');
      return hasDiagnosis || message.header.triggerEvent !== 'A03'
        ? buildAck(message, { code: 'AA', text: 'stored' })
        : buildAck(message, { code: 'AE', text: 'DG1-3 required', errors: [{ location: 'DG1^1^3', code: 101 }] });
    },
  });
  const { port } = await server.start();
  t.teardown(() => server.stop(1_000));
  return { port, server };
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (line: string) => out.push(line), err: (line: string) => err.push(line) } };
}

const options = (port: number, files: string[], extra: Partial<SendOptions> = {}): SendOptions => ({
  files,
  host: '127.0.0.1',
  port,
  tls: false,
  timeout: 2_000,
  raw: false,
  quiet: false,
  ...extra,
});

test('send prints each ack code, text and control ids and exits 0 when all are accepted', async (t) => {
  const { port } = await connector(t);
  const { out, err, io } = capture();
  const { exitCode, results } = await runSend(options(port, [sample('adt-a03-home-health.hl7')]), io);
  t.is(exitCode, 0);
  t.deepEqual(err, []);
  t.regex(out[0]!, /^\[1\/1\] .*adt-a03-home-health\.hl7 MSH-10 RB20261120143012001 → AA stored \(ACK A[0-9A-F]{19}\)$/);
  t.regex(out[1]!, /^sent 1 of 1 message\(s\) to mllp:\/\/127\.0\.0\.1:\d+ in [\d.]+ s: 1 AA$/);
  t.is(results[0]!.code, 'AA');
});

test('send splits a multi-message file and numbers the messages', async (t) => {
  const { port, server } = await connector(t);
  const { out, io } = capture();
  const { results } = await runSend(options(port, [sample('adt-a03-batch.hl7')]), io);
  t.is(results.length, 4);
  t.true(out.some((line) => line.includes('adt-a03-batch.hl7#4')));
  t.is(server.stats().accepted, 1);
});

test('send exits 1 and reports on stderr when a message gets an AE', async (t) => {
  const { port } = await connector(t);
  const { err, io } = capture();
  const { exitCode } = await runSend(options(port, [sample('adt-a03-home-health.hl7'), sample('adt-a03-missing-diagnosis.hl7')]), io);
  t.is(exitCode, 1);
  t.is(err.length, 1);
  t.regex(err[0]!, /\[2\/2\] .*missing-diagnosis\.hl7 .* → AE DG1-3 required/);
});

test('send exits 1 with a timeout error when no ack comes', async (t) => {
  const { port } = await connector(t);
  const { err, io } = capture();
  const { exitCode, results } = await runSend(options(port, [sample('orm-o01-order.hl7')], { timeout: 200 }), io);
  t.is(exitCode, 1);
  t.is(results[0]!.code, 'ERROR');
  t.regex(err[0]!, /MLLP_TIMEOUT/);
});

test('send stops after a connection failure instead of failing every message', async (t) => {
  const { port, server } = await connector(t);
  await server.stop();
  const { out, io } = capture();
  const { exitCode, results } = await runSend(options(port, [sample('adt-a03-batch.hl7')]), io);
  t.is(exitCode, 1);
  t.is(results.length, 1);
  t.regex(out.at(-1)!, /^sent 1 of 4 message\(s\)/);
});

test('send in quiet mode prints only failures and the summary, and reports progress', async (t) => {
  const { port } = await connector(t);
  const { out, io } = capture();
  const progress: string[] = [];
  await runSend(options(port, [sample('adt-a03-home-health.hl7'), sample('adt-a03-hospice-home.hl7')], { quiet: true }), {
    ...io,
    progress: (done, total) => progress.push(`${done}/${total}`),
  });
  t.is(out.length, 1);
  t.regex(out[0]!, /2 AA$/);
  t.deepEqual(progress, ['1/2', '2/2']);
});

test('send command parses its options with yargs', async (t) => {
  const parsed = await yargs(['send', 'a.hl7', 'b.hl7', '--port', '3000', '--tls', '--ca', 'ca.pem', '--timeout', '500'])
    .command({ ...sendCommand, handler: () => undefined })
    .strict()
    .parseAsync();
  t.deepEqual(parsed.files, ['a.hl7', 'b.hl7']);
  t.is(parsed.port, 3000);
  t.is(parsed.tls, true);
  t.is(parsed.ca, 'ca.pem');
  t.is(parsed.timeout, 500);
  t.is(parsed.host, '127.0.0.1');
});
