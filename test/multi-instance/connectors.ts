import { once } from 'node:events';
import net from 'node:net';
import test from 'ava';
import { adtBatch, type AdtMessage } from '../../bench/lib/adt.js';
import { startFarSide } from '../../bench/lib/far-side.js';
import { MllpDecoder, encodeFrame } from '../../core/mllp/codec.js';
import { startInstance } from '../helpers/instance-process.js';
import { freshSchema, testDatabaseUrl } from '../helpers/postgres.js';
import { eventually, settled } from '../helpers/eventually.js';
import { tempDir } from '../helpers/temp.js';

/** Messages per run; the full run is 5,000 (CARALOOM_MULTI_MESSAGES=5000). */
const total = Number(process.env.CARALOOM_MULTI_MESSAGES ?? 600);
/** Sending connections; each owns a set of patients and sends their messages in order. */
const lanes = 6;
/** The children's lease: 2 × API timeout (2 s) + 30 s. */
const leaseMs = 34_000;

/** One MLLP connection: send a frame, wait for the ACK; undefined when the connection dies first. */
async function connectMllp(url: string): Promise<{ send(text: string): Promise<string | undefined>; close(): void } | undefined> {
  const { hostname, port } = new URL(url.replace(/^mllp:/, 'http:'));
  const socket = net.connect({ host: hostname, port: Number(port) });
  try {
    await once(socket, 'connect');
  } catch {
    return undefined;
  }
  const decoder = new MllpDecoder();
  let waiting: ((ack: string | undefined) => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    for (const event of decoder.push(chunk)) if (event.type === 'frame') waiting?.(event.payload.toString('latin1'));
  });
  const dead = () => waiting?.(undefined);
  socket.on('error', dead);
  socket.on('close', dead);
  return {
    send: (text) =>
      new Promise((resolve) => {
        if (socket.destroyed) return resolve(undefined);
        waiting = (ack) => {
          waiting = undefined;
          resolve(ack);
        };
        socket.write(encodeFrame(text));
      }),
    close: () => socket.destroy(),
  };
}

const msa1 = (ack: string): string => ack.slice(ack.indexOf('MSA|') + 4, ack.indexOf('MSA|') + 6);

test('two connectors on one database, one killed mid-run: every ACKed referral delivered once, in order per patient', async (t) => {
  const far = await startFarSide();
  t.teardown(() => far.close());
  const schema = freshSchema(t);
  const common = { databaseUrl: testDatabaseUrl, schema, apiUrl: far.url, apiKey: 'clk_live_multi_instance_test' };
  // Started one after the other: the first migrates, the second finds it done.
  // One data folder: instances on one journal must share its pseudonym key, or one patient's order keys differ between them.
  const dataDir = tempDir(t);
  const start = () => startInstance<{ mllp: string }>(t, 'connector-instance.ts', { ...common, dataDir });
  const instances = [await start(), await start()];
  const [victim, survivor] = instances as [(typeof instances)[0], (typeof instances)[0]];
  const messages = adtBatch(total, { patients: 60, controlPrefix: `MI${Date.now()}-` });
  const acked = new Map<string, string>();
  let killed = false;

  // Each lane owns some patients and sends their messages in order, waiting
  // for each ACK, alternating between the two connectors as a load balancer
  // would; when one dies it resends the unanswered message to the other.
  const lane = async (mine: AdtMessage[]) => {
    const alive = [true, true];
    const connections: Array<Awaited<ReturnType<typeof connectMllp>>> = [undefined, undefined];
    for (const [index, message] of mine.entries()) {
      let target = index % 2;
      for (let tries = 0; !acked.has(message.controlId); tries += 1) {
        if (!alive[target]) target = 1 - target;
        if (tries > 50) throw new Error('no connector answers');
        connections[target] ??= await connectMllp(instances[target]!.info.mllp);
        const ack = await connections[target]?.send(message.text);
        if (ack === undefined) {
          alive[target] = !(killed && target === 0);
          connections[target] = undefined;
          continue;
        }
        if (msa1(ack) === 'AA') acked.set(message.controlId, message.facility);
        else await new Promise((resolve) => setTimeout(resolve, 50)); // AR 207: not stored, send again
      }
      if (!killed && acked.size >= total * 0.4) {
        killed = true;
        await victim.kill();
      }
    }
    for (const connection of connections) connection?.close();
  };
  await Promise.all(Array.from({ length: lanes }, (_, n) => lane(messages.filter((message) => Number(message.mrn.slice(3)) % lanes === n))));
  t.true(killed, 'the first connector was killed mid-run');
  t.is(acked.size, total, 'every message was ACKed AA by one connector or the other');

  const expected = messages.filter((message) => message.referable);
  // The survivor delivers everything it can; the victim's leased items wait for their lease.
  const beforeTakeover = await settled(() => far.committed.length);
  await survivor.advance(leaseMs + 1_000);
  await eventually(() => far.committed.length >= expected.length, { timeoutMs: 30_000, what: 'every referral committed after the takeover' });

  t.log(`${total} messages, ${expected.length} referrals; ${expected.length - beforeTakeover} waited for the killed connector's leases; ${far.replays} idempotent replays`);
  const committed = far.committed.map((entry) => entry.externalId);
  t.is(new Set(committed).size, committed.length, 'no referral committed twice');
  t.deepEqual([...committed].sort(), expected.map((message) => `${message.facility}:${message.controlId}`).sort(), 'every ACKed referral delivered');
  const seqOf = new Map(messages.map((message) => [`${message.facility}:${message.controlId}`, message.seq]));
  const byPatient = new Map<string, number[]>();
  for (const entry of far.committed) byPatient.set(entry.patient, [...(byPatient.get(entry.patient) ?? []), seqOf.get(entry.externalId)!]);
  const outOfOrder = [...byPatient].filter(([, seqs]) => seqs.some((seq, index) => index > 0 && seq < seqs[index - 1]!));
  t.deepEqual(outOfOrder, [], 'each patient’s referrals arrived in the order they were sent');
});
