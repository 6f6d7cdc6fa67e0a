/**
 * Our MLLP server with an onFrame that answers through ack.ts, talking to an
 * independent client (@medplum/hl7) and to our own client with every corpus
 * file: each gets an AA, or an AR naming what is wrong; nothing hangs.
 */
import { Hl7Message as MedplumMessage } from '@medplum/core';
import { Hl7Client } from '@medplum/hl7';
import test, { type ExecutionContext } from 'ava';
import { MllpClient } from '../../core/mllp/client.js';
import { createMllpServer } from '../../core/mllp/server.js';
import { buildAck } from '../../connector/hl7/ack.js';
import { isAck, looksLikeAck } from '../../connector/hl7/ack-mode.js';
import { decodeHl7, encodeHl7 } from '../../connector/hl7/decode.js';
import { isHl7ParseError } from '../../connector/hl7/errors.js';
import { parseHl7 } from '../../connector/hl7/parse.js';
import { ackForOversize, ackForParseError } from '../../connector/hl7/reject.js';
import { fieldValue, segment } from '../../connector/hl7/access.js';
import { corpusFiles, sampleFile } from '../helpers/corpus.js';

/** A wire-only door: AA for what parses, AR + ERR for what does not, nothing for ACKs. */
function ackOnly(payload: Buffer): Buffer | undefined {
  const decoded = decodeHl7(payload);
  try {
    const message = parseHl7(decoded.text, { encoding: decoded.encoding });
    if (isAck(message.header)) return undefined;
    return encodeHl7(buildAck(message, { code: 'AA', text: 'received' }), message.encoding);
  } catch (error) {
    if (looksLikeAck(decoded.text)) return undefined;
    if (!isHl7ParseError(error)) throw error;
    return Buffer.from(ackForParseError(decoded.text, error));
  }
}

const MAX_FRAME_BYTES = 64 * 1024;

async function startAckServer(t: ExecutionContext) {
  const server = createMllpServer({
    port: 0,
    maxFrameBytes: MAX_FRAME_BYTES,
    onFrame: ackOnly,
    onOversize: (info) => ackForOversize(info.head, MAX_FRAME_BYTES),
  });
  const { port } = await server.start();
  t.teardown(() => server.stop(1_000));
  return { server, port };
}

test('medplum Hl7Client gets an AA matched to its control id', async (t) => {
  const { port } = await startAckServer(t);
  const client = new Hl7Client({ host: '127.0.0.1', port });
  t.teardown(() => client.close());
  const text = sampleFile('hl7/adt-a03-home-health.hl7').toString('utf8').replace(/\n/g, '\r').trimEnd();
  const reply = await client.sendAndWait(MedplumMessage.parse(text), { timeoutMs: 5_000 });
  t.is(reply.getSegment('MSA')?.getField(1)?.toString(), 'AA');
  t.is(reply.getSegment('MSA')?.getField(2)?.toString(), 'RB20261120143012001');
  t.is(reply.getSegment('MSH')?.getField(9)?.toString(), 'ACK^A03^ACK');
});

test('medplum Hl7Client sends several messages on one connection and each gets its ack', async (t) => {
  const { port, server } = await startAckServer(t);
  const client = new Hl7Client({ host: '127.0.0.1', port });
  t.teardown(() => client.close());
  const names = ['adt-a03-skilled-nursing.hl7', 'adt-a03-hospice-home.hl7', 'adt-a03-hospice-facility.hl7'];
  for (const name of names) {
    const text = sampleFile(`hl7/${name}`).toString('utf8').replace(/\n/g, '\r').trimEnd();
    const message = MedplumMessage.parse(text);
    const reply = await client.sendAndWait(message, { timeoutMs: 5_000 });
    t.is(reply.getSegment('MSA')?.getField(2)?.toString(), message.getSegment('MSH')?.getField(10)?.toString());
  }
  t.is(server.stats().accepted, 1);
});

const corpus = corpusFiles('hl7');

test('every corpus file gets an AA or an AR with an ERR over a real socket', async (t) => {
  const { server, port } = await startAckServer(t);
  const client = new MllpClient({ host: '127.0.0.1', port, timeoutMs: 5_000 });
  t.teardown(() => client.close());
  const codes: Record<string, string> = {};
  for (const file of corpus) {
    const reply = parseHl7((await client.send(file.bytes)).toString('latin1'));
    const code = fieldValue(segment(reply, 'MSA'), 1);
    codes[file.name] = code;
    if (code === 'AR') t.truthy(segment(reply, 'ERR'), file.name);
  }
  t.is(Object.keys(codes).length, corpus.length);
  t.deepEqual(
    Object.entries(codes)
      .filter(([, code]) => code !== 'AA')
      .map(([name, code]) => `${name.split('/').pop()}:${code}`),
    ['lfh_sample_unix_ADT_A01_v2.6.hl7:AR', 'lfh_sample_win_ADT_A01_v2.6.hl7:AR'],
  );
  t.is(server.stats().handlerErrors, 0);
});

test('an ACK sent to the server gets no reply and the connection keeps working', async (t) => {
  const { server, port } = await startAckServer(t);
  const client = new MllpClient({ host: '127.0.0.1', port, timeoutMs: 300 });
  t.teardown(() => client.close());
  const error = await t.throwsAsync(client.send('MSH|^~\\&|A|B|C|D|2026||ACK^A03^ACK|1|P|2.5\rMSA|AA|9'));
  t.is((error as { code?: string }).code, 'MLLP_TIMEOUT');
  t.is(server.stats().replies, 0);
  const reply = await client.send(sampleFile('hl7/adt-a03-skilled-nursing.hl7'));
  t.true(reply.toString('latin1').includes('MSA|AA|RB20261120151544002'));
});

test('the latin-1 message is acknowledged in its own encoding', async (t) => {
  const { port } = await startAckServer(t);
  const client = new MllpClient({ host: '127.0.0.1', port, timeoutMs: 5_000 });
  t.teardown(() => client.close());
  const message = sampleFile('hl7/adt-a03-latin1.hl7');
  const reply = await client.send(message);
  t.true(reply.toString('latin1').includes('|8859/1'));
  t.true(reply.toString('latin1').includes('MSA|AA|RB20261123124500014'));
});

test('a message over the frame limit gets an AR that echoes its control id', async (t) => {
  const { port } = await startAckServer(t);
  const client = new MllpClient({ host: '127.0.0.1', port, timeoutMs: 5_000 });
  t.teardown(() => client.close());
  const big = Buffer.concat([sampleFile('hl7/adt-a03-home-health.hl7'), Buffer.from(`NTE|1||${'x'.repeat(MAX_FRAME_BYTES)}`)]);
  const reply = parseHl7((await client.send(big)).toString('latin1'));
  t.is(fieldValue(segment(reply, 'MSA'), 1), 'AR');
  t.is(fieldValue(segment(reply, 'MSA'), 2), 'RB20261120143012001');
  t.is(fieldValue(segment(reply, 'ERR'), 3), '207');
  const next = await client.send(sampleFile('hl7/adt-a03-hospice-home.hl7'));
  t.true(next.toString('latin1').includes('MSA|AA|RB20261121094510003'));
});

test('a parse failure is answered with an AR whose ERR names the MSH field', async (t) => {
  const { port } = await startAckServer(t);
  const client = new MllpClient({ host: '127.0.0.1', port, timeoutMs: 5_000 });
  t.teardown(() => client.close());
  const reply = parseHl7((await client.send('MSH|^~\\|A|B|C|D|2026||ADT^A03|X9|P|2.5')).toString('latin1'));
  t.is(fieldValue(segment(reply, 'MSA'), 1), 'AR');
  t.is(fieldValue(segment(reply, 'MSA'), 2), 'X9');
  t.deepEqual(segment(reply, 'ERR')!.fields[2], [[['MSH'], ['1'], ['2']]]);
  t.is(fieldValue(segment(reply, 'ERR'), 3), '102');
});
