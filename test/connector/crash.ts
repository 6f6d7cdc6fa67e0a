/**
 * Nothing ACKed is lost by `kill -9`: a connector child process ACKs N
 * discharges (deliveries to the real sandbox slowed down so some are still
 * waiting or in flight), is killed with SIGKILL, and after a restart on the
 * same data folder the sandbox holds exactly N referrals, one per message.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import test from 'ava';
import Koa from 'koa';
import { listenHttp } from '../../core/http/listen.js';
import { silentLogger } from '../../core/logger.js';
import { SqliteJournal } from '../../core/journal/sqlite.js';
import { createSandbox, sandboxConfig } from '../../sandbox/service.js';
import { sampleFile } from '../helpers/corpus.js';
import { MAPPINGS_DIR, eventually, mllpClient, readAck } from '../helpers/connector.js';
import { tempDir } from '../helpers/temp.js';

const N = 12;

function spawnConnector(t: Parameters<typeof tempDir>[0], args: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('test/fixtures/connector-child.ts'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const match = /ready (\d+)/.exec(buffered);
      if (match !== null) resolve({ child, port: Number(match[1]) });
    });
    child.once('exit', (code) => reject(new Error(`connector child exited early (${code})`)));
  });
}

const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

test('a connector killed with sigkill after acking n messages delivers all n exactly once after restart', async (t) => {
  t.timeout(60_000);
  const sandbox = createSandbox({ config: sandboxConfig({ port: 0, ratePerMinute: 0, ratePerDay: 0 }), store: { kind: 'sqlite', synchronous: 'normal' }, dataDir: tempDir(t, 'caraloom-sandbox-'), logger: silentLogger() });
  await sandbox.start();
  t.teardown(() => sandbox.stop());
  const key = await sandbox.issueKey('crash@example.com');
  // A slow link to the API: answers take 300 ms, so deliveries lag behind the ACKs.
  const app = new Koa();
  app.use(async (ctx) => {
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const name of ['authorization', 'content-type', 'idempotency-key', 'accept']) if (ctx.get(name) !== '') headers[name] = ctx.get(name);
    const answer = await fetch(`${sandbox.url}${ctx.url}`, { method: ctx.method, headers, body: ctx.method === 'GET' ? undefined : Buffer.concat(chunks) });
    const body = Buffer.from(await answer.arrayBuffer());
    await new Promise((resolve) => setTimeout(resolve, 300));
    ctx.status = answer.status;
    ctx.set('content-type', answer.headers.get('content-type') ?? 'application/json');
    ctx.body = body;
  });
  const slow = await listenHttp(app.callback(), '127.0.0.1', 0);
  t.teardown(() => slow.close(0));
  const referrals = async () => {
    const response = await fetch(`${sandbox.url}/v1/discharge-referrals?limit=100`, { headers: { authorization: `Bearer ${key}` } });
    return ((await response.json()) as { data: Array<{ external_id: string }> }).data;
  };

  const dataDir = tempDir(t, 'caraloom-connector-');
  const args = [dataDir, slow.url, key, MAPPINGS_DIR];
  const first = await spawnConnector(t, args);
  const client = mllpClient(t, first.port);
  const template = sampleFile('hl7/adt-a03-home-health.hl7').toString('utf8');
  let acked = 0;
  for (let i = 0; i < N; i++) {
    const message = template.replace('RB20261120143012001', `RBKILL${i}`).replaceAll('MRN10048213', `MRN3000${i}`);
    if (readAck(await client.send(message)).code === 'AA') acked++;
  }
  first.child.kill('SIGKILL');
  await exited(first.child);
  await client.close();
  t.is(acked, N);
  const before = (await referrals()).length;
  t.log(`delivered before the kill: ${before} of ${N}`);

  const second = await spawnConnector(t, args);
  // Read the restarted connector's journal from here (SQLite WAL allows a second reader). Items the
  // killed process held a lease on are taken over once the lease expires (3 × API timeout + 5 s).
  const journal = new SqliteJournal({ file: path.join(dataDir, 'connector.db') });
  t.teardown(() => journal.close());
  await eventually(async () => (await journal.counts('connector.outbox')).delivered === N, 40_000);
  second.child.kill('SIGTERM');
  await exited(second.child);

  const stored = await referrals();
  t.is(stored.length, N, 'exactly N referrals');
  t.deepEqual(stored.map((referral) => referral.external_id).sort(), Array.from({ length: N }, (_, i) => `RIVERBEND:RBKILL${i}`).sort());
  const counts = await journal.counts('connector.outbox');
  t.is(counts.queued + counts.dead, 0, 'nothing left waiting or dead');
});
