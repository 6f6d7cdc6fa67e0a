import net from 'node:net';
import test, { type ExecutionContext } from 'ava';
import { MllpDecoder, encodeFrame } from '../../core/mllp/codec.js';
import { MllpClient, MllpClientError } from '../../core/mllp/client.js';
import { createMllpServer } from '../../core/mllp/server.js';

/** A bare TCP server whose behaviour per frame the test decides. Counts every frame it receives. */
async function peer(t: ExecutionContext, onFrame: (payload: string, socket: net.Socket) => void) {
  const frames: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const decoder = new MllpDecoder();
    socket.on('data', (chunk: Buffer) => {
      for (const event of decoder.push(chunk)) {
        if (event.type !== 'frame') continue;
        frames.push(event.payload.toString());
        onFrame(event.payload.toString(), socket);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return { port: (server.address() as net.AddressInfo).port, frames, connections: () => sockets.size };
}

function client(t: ExecutionContext, port: number, timeoutMs = 2_000): MllpClient {
  const c = new MllpClient({ host: '127.0.0.1', port, timeoutMs, connectTimeoutMs: 2_000 });
  t.teardown(() => c.close());
  return c;
}

test('send resolves with the reply payload', async (t) => {
  const { port } = await peer(t, (payload, socket) => socket.write(encodeFrame(`re:${payload}`)));
  t.is((await client(t, port).send('hello')).toString(), 're:hello');
});

test('concurrent sends go one at a time and each gets its own reply', async (t) => {
  let inFlight = 0;
  let maxInFlight = 0;
  const { port } = await peer(t, (payload, socket) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    setTimeout(() => {
      inFlight--;
      socket.write(encodeFrame(`re:${payload}`));
    }, 10);
  });
  const c = client(t, port);
  const replies = await Promise.all(['a', 'b', 'c'].map((m) => c.send(m)));
  t.deepEqual(
    replies.map((r) => r.toString()),
    ['re:a', 're:b', 're:c'],
  );
  t.is(maxInFlight, 1);
});

test('send fails with MLLP_TIMEOUT when no reply comes', async (t) => {
  const { port } = await peer(t, () => undefined);
  const error = await t.throwsAsync(client(t, port, 100).send('silence'), { instanceOf: MllpClientError });
  t.is(error.code, 'MLLP_TIMEOUT');
  t.true(error.retryable);
});

test('the send after a timeout reconnects and succeeds', async (t) => {
  let first = true;
  const { port } = await peer(t, (payload, socket) => {
    if (first) {
      first = false;
      return;
    }
    socket.write(encodeFrame(`re:${payload}`));
  });
  const c = client(t, port, 100);
  await t.throwsAsync(c.send('lost'));
  t.is((await c.send('again')).toString(), 're:again');
});

test('send fails with MLLP_CONNECT_FAILED when nothing listens', async (t) => {
  // A port that was just bound and released: nothing listens there.
  const spare = net.createServer();
  await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', () => resolve()));
  const closedPort = (spare.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => spare.close(() => resolve()));
  const error = await t.throwsAsync(client(t, closedPort).send('x'), { instanceOf: MllpClientError });
  t.is(error.code, 'MLLP_CONNECT_FAILED');
});

test('send fails with MLLP_CONNECTION_CLOSED when the peer hangs up before replying', async (t) => {
  const { port } = await peer(t, (_payload, socket) => socket.destroy());
  const error = await t.throwsAsync(client(t, port).send('x'), { instanceOf: MllpClientError });
  t.is(error.code, 'MLLP_CONNECTION_CLOSED');
});

test('client never answers a frame it did not ask for', async (t) => {
  const { port, frames } = await peer(t, (payload, socket) => {
    socket.write(encodeFrame(`re:${payload}`));
    // Then an unsolicited ACK: a client that ACKs ACKs would send something back.
    if (payload === 'first') setTimeout(() => socket.write(encodeFrame('MSH|^~\\&|||||||ACK|1|P|2.5\rMSA|AA|1')), 10);
  });
  const c = client(t, port);
  t.is((await c.send('first')).toString(), 're:first');
  while (c.unsolicited === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  t.is((await c.send('second')).toString(), 're:second');
  t.deepEqual(frames, ['first', 'second']);
});

test('sends after close fail with MLLP_CLIENT_CLOSED', async (t) => {
  const { port } = await peer(t, (payload, socket) => socket.write(encodeFrame(payload)));
  const c = client(t, port);
  await c.send('x');
  await c.close();
  const error = await t.throwsAsync(c.send('y'), { instanceOf: MllpClientError });
  t.is(error.code, 'MLLP_CLIENT_CLOSED');
  t.false(error.retryable);
});

test('client and server exchange many messages on one connection', async (t) => {
  const server = createMllpServer({ port: 0, onFrame: (payload) => Buffer.concat([Buffer.from('re:'), payload]) });
  const { port } = await server.start();
  t.teardown(() => server.stop(1_000));
  const c = client(t, port);
  const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => c.send(`m${i}`)));
  t.deepEqual(
    replies.map((r) => r.toString()),
    Array.from({ length: 50 }, (_, i) => `re:m${i}`),
  );
  t.is(server.stats().accepted, 1);
});
