import net from 'node:net';
import tls from 'node:tls';
import test, { type ExecutionContext } from 'ava';
import { MllpDecoder, encodeFrame } from '../../core/mllp/codec.js';
import { MllpClient } from '../../core/mllp/client.js';
import { type MllpServer, type MllpServerOptions, createMllpServer } from '../../core/mllp/server.js';
import { makeTestPki } from '../helpers/tls-certs.js';

const pki = makeTestPki();

type ServerSetup = Partial<MllpServerOptions>;

/** Starts a server on port 0 that stops when the test ends. Default handler echoes `ack:<payload>`. */
async function startServer(t: ExecutionContext, setup: ServerSetup = {}): Promise<{ server: MllpServer; port: number; url: string }> {
  const server = createMllpServer({ port: 0, onFrame: (payload) => `ack:${payload.toString()}`, ...setup });
  const { port, url } = await server.start();
  t.teardown(() => server.stop(1_000));
  return { server, port, url };
}

/** A raw socket that collects decoded reply frames. */
function rawClient(t: ExecutionContext, port: number) {
  const socket = net.connect({ port, host: '127.0.0.1' });
  t.teardown(() => socket.destroy());
  const decoder = new MllpDecoder();
  const replies: string[] = [];
  const waiters: Array<() => void> = [];
  socket.on('data', (chunk: Buffer) => {
    for (const event of decoder.push(chunk)) if (event.type === 'frame') replies.push(event.payload.toString());
    for (const wake of waiters.splice(0)) wake();
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    socket,
    replies,
    closed,
    connected: new Promise<void>((resolve) => socket.once('connect', () => resolve())),
    async waitFor(count: number): Promise<string[]> {
      while (replies.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
      return replies.slice(0, count);
    },
  };
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

test('server answers several messages on one connection in order', async (t) => {
  const { port } = await startServer(t, {
    // Later frames finish first: order must still hold.
    onFrame: async (payload) => {
      const n = Number(payload.toString());
      await delay(50 - n * 10);
      return `ack:${n}`;
    },
  });
  const client = rawClient(t, port);
  client.socket.write(Buffer.concat([1, 2, 3, 4].map((n) => encodeFrame(String(n)))));
  t.deepEqual(await client.waitFor(4), ['ack:1', 'ack:2', 'ack:3', 'ack:4']);
});

test('server hands frames to the handler one at a time per connection', async (t) => {
  let active = 0;
  let maxActive = 0;
  const { port } = await startServer(t, {
    onFrame: async (payload) => {
      active++;
      maxActive = Math.max(maxActive, active);
      await delay(5);
      active--;
      return payload;
    },
  });
  const client = rawClient(t, port);
  client.socket.write(Buffer.concat(['a', 'b', 'c', 'd', 'e'].map((s) => encodeFrame(s))));
  await client.waitFor(5);
  t.is(maxActive, 1);
});

test('server sends no reply when the handler returns undefined', async (t) => {
  const { port } = await startServer(t, {
    onFrame: (payload) => (payload.toString().startsWith('ACK') ? undefined : `ack:${payload.toString()}`),
  });
  const client = rawClient(t, port);
  client.socket.write(Buffer.concat([encodeFrame('ACK-from-peer'), encodeFrame('real')]));
  // Frames on one connection are answered in order, so the reply to `real`
  // arriving first and alone proves the earlier ACK got none.
  t.deepEqual(await client.waitFor(1), ['ack:real']);
  t.is(client.replies.length, 1);
});

test('server counts bytes skipped before a start block', async (t) => {
  const { server, port } = await startServer(t);
  const client = rawClient(t, port);
  client.socket.write(Buffer.concat([Buffer.from('\r\n\r\n'), encodeFrame('x')]));
  await client.waitFor(1);
  t.is(server.stats().skippedBytes, 4);
});

test('server answers an oversize frame with the onOversize reply and keeps the connection', async (t) => {
  const seen: number[] = [];
  const { port } = await startServer(t, {
    maxFrameBytes: 100,
    onOversize: (info) => {
      seen.push(info.bytes);
      return `too-large:${info.head.subarray(0, 3).toString()}`;
    },
  });
  const client = rawClient(t, port);
  client.socket.write(encodeFrame(`MSH${'x'.repeat(500)}`));
  client.socket.write(encodeFrame('after'));
  t.deepEqual(await client.waitFor(2), ['too-large:MSH', 'ack:after']);
  t.true(seen[0]! > 100);
});

test('server closes a connection that stays idle', async (t) => {
  const { port } = await startServer(t, { idleTimeoutMs: 100 });
  const client = rawClient(t, port);
  await client.connected;
  await client.closed;
  t.true(client.socket.destroyed);
});

test('server keeps a busy connection open past the idle timeout', async (t) => {
  const { port } = await startServer(t, {
    idleTimeoutMs: 50,
    onFrame: async () => {
      await delay(200);
      return 'slow-ack';
    },
  });
  const client = rawClient(t, port);
  client.socket.write(encodeFrame('x'));
  t.deepEqual(await client.waitFor(1), ['slow-ack']);
});

test('server refuses connections beyond maxConnections', async (t) => {
  const { server, port } = await startServer(t, { maxConnections: 1 });
  const first = rawClient(t, port);
  first.socket.write(encodeFrame('one'));
  await first.waitFor(1);
  const second = rawClient(t, port);
  await second.closed;
  t.is(second.replies.length, 0);
  t.is(server.stats().refused, 1);
  first.socket.write(encodeFrame('two'));
  t.deepEqual(await first.waitFor(2), ['ack:one', 'ack:two']);
});

test('server closes the connection when the handler throws and keeps serving others', async (t) => {
  const { server, port } = await startServer(t, {
    onFrame: (payload) => {
      if (payload.toString() === 'boom') throw new Error('handler bug');
      return 'ok';
    },
  });
  const bad = rawClient(t, port);
  bad.socket.write(encodeFrame('boom'));
  await bad.closed;
  const good = rawClient(t, port);
  good.socket.write(encodeFrame('fine'));
  t.deepEqual(await good.waitFor(1), ['ok']);
  t.is(server.stats().handlerErrors, 1);
});

test('server survives a peer that disconnects mid-frame', async (t) => {
  const { port } = await startServer(t);
  const half = rawClient(t, port);
  half.socket.end(Buffer.from('\u000bMSH|half a frame'));
  await half.closed;
  const next = rawClient(t, port);
  next.socket.write(encodeFrame('whole'));
  t.deepEqual(await next.waitFor(1), ['ack:whole']);
});

test('server still answers a sender that half-closes after its last frame', async (t) => {
  const { port } = await startServer(t, {
    onFrame: async (payload) => {
      await delay(30);
      return `ack:${payload.toString()}`;
    },
  });
  const client = rawClient(t, port);
  client.socket.end(Buffer.concat([encodeFrame('one'), encodeFrame('two')]));
  await client.closed;
  t.deepEqual(client.replies, ['ack:one', 'ack:two']);
});

test('stop answers frames already received before closing', async (t) => {
  const server = createMllpServer({
    port: 0,
    onFrame: async (payload) => {
      await delay(100);
      return `done:${payload.toString()}`;
    },
  });
  const { port } = await server.start();
  const client = rawClient(t, port);
  client.socket.write(encodeFrame('in-flight'));
  while (server.stats().frames === 0) await delay(5);
  await server.stop();
  await client.closed;
  t.deepEqual(client.replies, ['done:in-flight']);
});

test('start reports an mllp url with the bound port', async (t) => {
  const { url, port } = await startServer(t);
  t.is(url, `mllp://127.0.0.1:${port}`);
});

test('tls server answers over mllps', async (t) => {
  const { url, port } = await startServer(t, { tls: { key: pki.serverKey, cert: pki.serverCert } });
  t.is(url, `mllps://127.0.0.1:${port}`);
  const client = new MllpClient({ host: '127.0.0.1', port, tls: { ca: pki.ca }, timeoutMs: 5_000 });
  t.teardown(() => client.close());
  t.is((await client.send('hello')).toString(), 'ack:hello');
});

test('tls server that requires a client certificate accepts one signed by its ca', async (t) => {
  let commonName: string | undefined;
  const { port } = await startServer(t, {
    tls: { key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, requestCert: true },
    onFrame: (_payload, info) => {
      commonName = info.peerCommonName;
      return 'ok';
    },
  });
  const client = new MllpClient({
    host: '127.0.0.1',
    port,
    tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey },
    timeoutMs: 5_000,
  });
  t.teardown(() => client.close());
  t.is((await client.send('x')).toString(), 'ok');
  t.is(commonName, 'client');
});

test('tls server that requires a client certificate refuses a client without one', async (t) => {
  const { server, port } = await startServer(t, {
    tls: { key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, requestCert: true },
  });
  const client = new MllpClient({ host: '127.0.0.1', port, tls: { ca: pki.ca }, timeoutMs: 2_000 });
  t.teardown(() => client.close());
  const error = await t.throwsAsync(client.send('x'));
  t.regex((error as { code?: string }).code ?? '', /^MLLP_(CONNECT_FAILED|CONNECTION_CLOSED)$/);
  t.is(server.stats().frames, 0);
});

test('tls server refuses a client certificate from another ca', async (t) => {
  const { server, port } = await startServer(t, {
    tls: { key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, requestCert: true },
  });
  const socket = tls.connect({ host: '127.0.0.1', port, ca: pki.ca, cert: pki.strangerCert, key: pki.strangerKey });
  t.teardown(() => socket.destroy());
  socket.on('secureConnect', () => socket.write(encodeFrame('x')));
  await new Promise<void>((resolve) => {
    socket.once('close', () => resolve());
    socket.once('error', () => resolve());
  });
  t.is(server.stats().frames, 0);
});

test('stop does not wait for a tls peer that dropped during its handshake', async (t) => {
  const server = createMllpServer({ port: 0, tls: { key: pki.serverKey, cert: pki.serverCert }, onFrame: () => undefined });
  const { port } = await server.start();
  const refused = new Promise<string>((resolve) => {
    // This client trusts another CA, so it refuses the server's certificate and drops.
    const socket = tls.connect({ host: '127.0.0.1', port, ca: pki.strangerCert, servername: 'localhost' });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
  t.truthy(await refused, 'the client refused the server certificate');
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise((resolve) => (timer = setTimeout(() => resolve('hung'), 5_000)));
  const stopped = await Promise.race([server.stop(100).then(() => 'stopped'), hung]);
  clearTimeout(timer);
  t.is(stopped, 'stopped');
});
