/** Issue #11.3: `allowFrom` closes other addresses at accept (MLLP has no authentication). */
import net from 'node:net';
import test from 'ava';
import { allowFromProblems, createAllowList } from '../../core/mllp/allow-from.js';
import { createMllpServer } from '../../core/mllp/server.js';
import { encodeFrame } from '../../core/mllp/codec.js';
import { eventually } from '../helpers/eventually.js';

test('an address outside allowFrom is closed before any byte is read', async (t) => {
  let frames = 0;
  const server = createMllpServer({ port: 0, allowFrom: ['127.0.0.1/32'], onFrame: () => (frames++, 'ack') });
  const { port } = await server.start();
  t.teardown(() => server.stop(500));
  const stranger = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.2' });
  t.teardown(() => stranger.destroy());
  stranger.on('error', () => undefined);
  stranger.write(encodeFrame('MSH|^~\\&|X'));
  await new Promise<void>((resolve) => stranger.once('close', () => resolve()));
  const friend = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.1' });
  t.teardown(() => friend.destroy());
  friend.write(encodeFrame('MSH|^~\\&|Y'));
  await eventually(() => frames === 1, { what: 'the allowed frame' });
  t.is(server.stats().notAllowed, 1);
  t.is(server.stats().skippedBytes, 0);
});

test('allowFrom matches IPv4, IPv6 and IPv4-mapped peers', (t) => {
  const allowed = createAllowList(['10.0.0.0/8', '192.168.4.7', 'fd00::/8', '::ffff:172.16.0.0/108']);
  const table: Array<[string, boolean]> = [['10.1.2.3', true], ['::ffff:10.1.2.3', true], ['11.0.0.1', false], ['192.168.4.7', true], ['192.168.4.8', false], ['fd12::1', true], ['fe80::1', false], ['172.16.5.5', true], ['172.32.0.1', false]];
  for (const [address, expected] of table) t.is(allowed(address), expected, address);
});

test('a bad allowFrom entry is named in the problem', (t) => {
  t.deepEqual(allowFromProblems(['10.0.0.0/8', '10.0.0.0/33', 'host.example']), ['allowFrom entry "10.0.0.0/33" has a prefix length outside 0–32', 'allowFrom entry "host.example" is not an IPv4 or IPv6 address or CIDR range (e.g. 10.20.0.0/16, 192.168.4.7, fd00::/8)']);
});
