/** Issue #11.3: one peer address cannot take every connection slot. */
import net from 'node:net';
import test from 'ava';
import { createMllpServer } from '../../core/mllp/server.js';
import { eventually } from '../helpers/eventually.js';

const open = (port: number, localAddress: string) =>
  new Promise<net.Socket>((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });

test('a peer past its own connection limit is refused while another peer connects', async (t) => {
  const server = createMllpServer({ port: 0, maxConnectionsPerPeer: 2, maxConnections: 50, onFrame: () => 'ack' });
  const { port } = await server.start();
  t.teardown(() => server.stop(500));
  const sockets = [await open(port, '127.0.0.1'), await open(port, '127.0.0.1'), await open(port, '127.0.0.1')];
  const other = await open(port, '127.0.0.2');
  for (const s of [...sockets, other]) t.teardown(() => s.destroy());
  for (const s of [...sockets, other]) s.on('error', () => undefined);
  await eventually(() => server.stats().peerRefused === 1 && server.stats().connections === 3, { what: 'one refusal, three open' });
  await eventually(() => sockets[2]!.destroyed || sockets[2]!.readableEnded, { what: 'third connection closed' });
  t.false(other.destroyed);
  t.false(sockets[0]!.destroyed);
});
