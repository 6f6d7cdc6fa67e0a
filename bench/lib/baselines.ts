/**
 * The two ingest baselines the connector is measured against, in the same run:
 * (a) a bare MLLP server that parses each frame with `hl7v2` and answers AA,
 * storing nothing — the floor of "parse and acknowledge" on this machine;
 * (b) `node-hl7-server`, the MLLP server a Node user would pick from npm.
 */
import net from 'node:net';
import { HL7Message } from 'hl7v2';
import { Server as NodeHl7Server } from 'node-hl7-server';
import { MllpDecoder, encodeFrame } from '../../core/mllp/codec.js';
import { freePort } from './ports.js';

export interface Running {
  port: number;
  /** The server's own process, when it runs in one (its CPU is read from /proc); in-process baselines have none. */
  pid?: number | undefined;
  close(): Promise<void>;
}

/** (a): deframe, `HL7Message.parse`, `createAck('AA')`, write — one frame at a time per connection. */
export async function startBareMllp(): Promise<Running> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const decoder = new MllpDecoder();
    socket.on('data', (chunk: Buffer) => {
      for (const event of decoder.push(chunk)) {
        if (event.type !== 'frame') continue;
        let reply: string;
        try {
          reply = HL7Message.parse(event.payload.toString('utf8')).createAck('AA').toHL7String();
        } catch {
          reply = 'MSH|^~\\&|||||||ACK||P|2.5.1\rMSA|AR|';
        }
        socket.write(encodeFrame(reply));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}


/** (b): `node-hl7-server` answering AA to every message. */
export async function startNodeHl7Server(): Promise<Running> {
  const port = await freePort();
  const server = new NodeHl7Server({ bindAddress: '127.0.0.1' });
  const inbound = server.createInbound({ port }, async (_req, res) => {
    await res.sendResponse('AA');
  });
  await new Promise<void>((resolve, reject) => {
    inbound.once('listen', () => resolve());
    inbound.once('error', reject);
  });
  return {
    port,
    close: async () => {
      await inbound.close();
    },
  };
}
