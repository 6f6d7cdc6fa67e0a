import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { silentLogger } from '../../core/logger.js';
import { createSandbox, sandboxConfig } from '../../sandbox/service.js';
import { tempDir } from '../helpers/temp.js';

test('a port in use fails start with a clear listen_failed error', async (t) => {
  const blocker = http.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const port = (blocker.address() as AddressInfo).port;
  const sandbox = createSandbox({ config: sandboxConfig({ port }), store: { kind: 'sqlite', synchronous: 'normal' }, dataDir: tempDir(t), logger: silentLogger() });
  const error = await t.throwsAsync(sandbox.start());
  t.is((error as { code?: string }).code, 'LISTEN_FAILED');
});

test('start reports one sandbox listener with the bound port', async (t) => {
  const sandbox = createSandbox({ config: sandboxConfig({ port: 0 }), store: { kind: 'sqlite', synchronous: 'normal' }, dataDir: tempDir(t), logger: silentLogger() });
  const listeners = await sandbox.start();
  t.teardown(() => sandbox.stop());
  t.deepEqual(listeners, [{ service: 'sandbox', url: sandbox.url! }]);
  t.regex(sandbox.url!, /^http:\/\/127\.0\.0\.1:\d+$/);
});

test('stop can be called twice', async (t) => {
  const sandbox = createSandbox({ config: sandboxConfig({ port: 0 }), store: { kind: 'sqlite', synchronous: 'normal' }, dataDir: tempDir(t), logger: silentLogger() });
  await sandbox.start();
  await sandbox.stop();
  await t.notThrowsAsync(sandbox.stop());
});
