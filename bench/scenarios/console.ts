/**
 * Console pages over a full journal (issue #14): 100,000 messages written
 * straight into an encrypted SQLite journal through the journal API, the
 * connector's admin API and the console over it in this process (real
 * sockets, real sessions), then 200 timed GETs of each page, one at a time.
 * Aim: dashboard and message list under 200 ms p95.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Router from '@koa/router';
import Koa from 'koa';
import { Registry } from 'prom-client';
import { request } from 'undici';
import { createAdmin } from '../../connector/admin.js';
import { addAdminRoutes } from '../../connector/http/admin-routes.js';
import { outboxQueue } from '../../connector/outbox.js';
import { consoleConfig } from '../../console/config.js';
import { createConsole } from '../../console/service.js';
import { addUser } from '../../console/users.js';
import { ensureKeyFile } from '../../core/crypto/keys.js';
import { storeSchema } from '../../core/config/store.js';
import { addOpsRoutes } from '../../core/http/ops.js';
import { listenHttp } from '../../core/http/listen.js';
import { openJournal } from '../../core/journal/open.js';
import type { EnqueueInput, ItemStatus } from '../../core/journal/types.js';
import { silentLogger } from '../../core/logger.js';
import { percentile, round } from '../lib/stats.js';

export interface ConsoleRow {
  page: string;
  messages: number;
  requests: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

const token = 'bench-console-admin-token-0123456789';
const password = 'bench console password';

/** Most discharges delivered, some queued, filtered and rejected: what a day of a busy feed leaves. */
function message(index: number, hl7: string): EnqueueInput {
  const status: ItemStatus = index % 50 === 0 ? 'queued' : index % 10 === 1 ? 'filtered' : index % 97 === 0 ? 'rejected' : 'delivered';
  const controlId = `BENCH${String(index).padStart(9, '0')}`;
  return {
    queue: outboxQueue,
    key: `RIVERBEND|${controlId}`,
    status,
    payload: { v: 1, kind: 'hl7', hl7: hl7.replace('RB20261120143012001', controlId), encoding: 'latin1', door: index % 3 === 0 ? 'http' : 'mllp', request: status === 'delivered' || status === 'queued' ? { target: 'native', method: 'POST', path: '/v1/discharge-referrals', body: { id: index } } : undefined },
    meta: { controlId, type: 'ADT^A03', facility: 'RIVERBEND', mapping: 'adt-a03-referral', action: status === 'filtered' ? 'filtered' : status === 'rejected' ? null : 'refer', ack: status === 'rejected' ? 'AE' : null },
  };
}

async function time(url: string, cookie: string, count: number): Promise<number[]> {
  const took: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const began = performance.now();
    const answer = await request(url, { headers: { cookie } });
    await answer.body.text();
    if (answer.statusCode !== 200) throw new Error(`${url} answered ${answer.statusCode}`);
    took.push(performance.now() - began);
  }
  return took;
}

export async function consoleScenario(total: number, requests: number, log: (line: string) => void): Promise<ConsoleRow[]> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'caraloom-bench-console-'));
  try {
    ensureKeyFile(dataDir);
    const journal = await openJournal({ store: storeSchema.parse({ kind: 'sqlite' }), dataDir, name: 'connector' });
    const hl7 = readFileSync(path.resolve('samples/hl7/adt-a03-home-health.hl7'), 'latin1');
    const began = performance.now();
    for (let start = 0; start < total; start += 1_000) {
      await journal.enqueueMany(Array.from({ length: Math.min(1_000, total - start) }, (_, offset) => message(start + offset + 1, hl7)));
    }
    log(`journal filled: ${total} messages in ${round((performance.now() - began) / 1000)} s`);

    const app = new Koa();
    const router = new Router();
    addOpsRoutes(router, { problems: async () => [], registry: new Registry() });
    addAdminRoutes(router, createAdmin(journal), [{ name: 'console', token, role: 'phi' }]);
    app.use(router.routes());
    const admin = await listenHttp(app.callback(), '127.0.0.1', 0);

    await addUser(path.join(dataDir, 'console-users.json'), 'bench', 'operator', password);
    const service = createConsole({ config: consoleConfig({ port: 0, connectors: [{ name: 'main', url: admin.url, token }] }), dataDir, logger: silentLogger() });
    const [listener] = await service.start();
    const base = listener!.url;
    const form = await request(`${base}/login`);
    const loginCookie = String(form.headers['set-cookie']).split(';')[0]!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.body.text())![1]!;
    const login = await request(`${base}/login`, { method: 'POST', headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, name: 'bench', password, next: '/' }).toString() });
    await login.body.dump();
    const cookie = ([] as string[]).concat(login.headers['set-cookie'] as string[]).find((line) => line.startsWith('caraloom_console='))!.split(';')[0]!;

    const [oldest] = await journal.list({ queue: outboxQueue, afterId: 0, order: 'asc', limit: 1 });
    const pages: Array<[string, string]> = [
      ['dashboard (/live/dashboard)', '/live/dashboard'],
      ['dashboard (full page /)', '/'],
      ['messages, newest 50', '/messages'],
      ['messages, status=delivered', '/messages?status=delivered'],
      ['messages, page deep in the journal (before=#1000)', `/messages?before=${(oldest?.id ?? 1) + 1_000}`],
      ['messages, controlId filter', `/messages?controlId=BENCH${String(Math.floor(total / 2)).padStart(9, '0')}`],
    ];
    const rows: ConsoleRow[] = [];
    for (const [name, pathname] of pages) {
      await time(`${base}${pathname}`, cookie, 5); // warm-up: prepared statements, JIT
      const took = await time(`${base}${pathname}`, cookie, requests);
      rows.push({ page: name, messages: total, requests, p50Ms: round(percentile(took, 50), 1), p95Ms: round(percentile(took, 95), 1), maxMs: round(Math.max(...took), 1) });
      log(`${name}: p50 ${rows.at(-1)!.p50Ms} ms, p95 ${rows.at(-1)!.p95Ms} ms`);
    }
    await service.stop();
    await admin.close();
    await journal.close();
    return rows;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
