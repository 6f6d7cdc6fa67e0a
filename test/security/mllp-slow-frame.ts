/** Issue #11.3: a sender that starts a frame must finish it within `frameTimeoutMs`; trickling bytes does not extend it. */
import net from 'node:net';
import test from 'ava';
import { createMllpServer } from '../../core/mllp/server.js';
import { eventually } from '../helpers/eventually.js';

test('a frame that is not finished within the deadline closes the connection', async (t) => {
  const server = createMllpServer({ port: 0, frameTimeoutMs: 300, idleTimeoutMs: 60_000, onFrame: () => 'ack' });
  const { port } = await server.start();
  t.teardown(() => server.stop(500));
  const socket = net.connect({ port, host: '127.0.0.1' });
  t.teardown(() => socket.destroy());
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(Buffer.from('\x0bMSH|^~\\&|'));
  // A byte every 50 ms keeps the idle timer happy but must not move the frame deadline.
  const drip = setInterval(() => socket.writable && socket.write('x'), 50);
  t.teardown(() => clearInterval(drip));
  await closed;
  t.is(server.stats().frameTimeouts, 1);
  t.is(server.stats().replies, 0);
});

test('a frame finished within the deadline is answered and the connection stays open', async (t) => {
  const server = createMllpServer({ port: 0, frameTimeoutMs: 300, onFrame: () => 'ack' });
  const { port } = await server.start();
  t.teardown(() => server.stop(500));
  const socket = net.connect({ port, host: '127.0.0.1' });
  t.teardown(() => socket.destroy());
  let replies = 0;
  socket.on('data', () => replies++);
  socket.write(Buffer.from('\x0bMSH|part'));
  setTimeout(() => socket.write(Buffer.from('-two\x1c\x0d')), 100);
  await eventually(() => replies === 1, { what: 'a reply' });
  t.false(socket.destroyed);
  t.is(server.stats().frameTimeouts, 0);
});
