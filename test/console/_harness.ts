/**
 * A whole console on port 0: a real connector (SQLite in a temp folder) in
 * front of a recording stand-in for the Discharge API, a real relay, and the
 * console reading both through their admin APIs, with one user per role.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { request } from 'undici';
import { silentLogger } from '../../core/logger.js';
import { consoleConfig } from '../../console/config.js';
import { createConsole, type ConsoleService } from '../../console/service.js';
import { addUser } from '../../console/users.js';
import { mllpClient, readAck, startApiStandIn, startConnector, type ApiStandIn, type ConnectorHarness } from '../helpers/connector.js';
import { tempDir } from '../helpers/temp.js';
import { startRelay, type StartedRelay } from '../relay/_support.js';

export const adminToken = 'admin-token-0123456789';
export const relayAdminToken = 'relay-admin-token-0123456789';
export const passwords = { viewer: 'viewer password 1', operator: 'operator password 1', phi: 'phi-user password 1' } as const;

export interface ConsoleHarness {
  url: string;
  console: ConsoleService;
  connector: ConnectorHarness;
  api: ApiStandIn;
  relay: StartedRelay;
  dataDir: string;
  /** Send a sample over MLLP; resolves with the ACK code. */
  send(file: string): Promise<string>;
}

/** A sample message file: `samples/hl7/NAME` or `test/console/_samples/NAME`. */
export function sample(name: string): Buffer {
  const local = path.resolve('test/console/_samples', name);
  try {
    return readFileSync(local);
  } catch {
    return readFileSync(path.resolve('samples/hl7', name));
  }
}

export async function startConsole(t: ExecutionContext, options: { consoleConfig?: Record<string, unknown> } = {}): Promise<ConsoleHarness> {
  const api = await startApiStandIn(t);
  // No retries: a failed delivery is a dead letter at once, so the test can watch it happen.
  const connector = await startConnector(t, { apiUrl: api.url, config: { delivery: { retrySchedule: [], jitter: 0 } } });
  const relay = await startRelay(t, { adminTokens: [relayAdminToken], subscribers: [{ name: 'ehr', kind: 'log', events: ['*'] }] });
  const dataDir = tempDir(t, 'caraloom-console-');
  for (const role of ['viewer', 'operator', 'phi'] as const) await addUser(path.join(dataDir, 'console-users.json'), role, role, passwords[role]);
  const service = createConsole({
    config: consoleConfig({
      port: 0,
      pollInterval: '1s',
      connectors: [{ name: 'main', url: connector.httpUrl, token: adminToken }],
      relays: [{ name: 'edge', url: relay.url, token: relayAdminToken }],
      ...options.consoleConfig,
    }),
    dataDir,
    logger: silentLogger(),
  });
  const [listener] = await service.start();
  t.teardown(() => service.stop());
  const client = mllpClient(t, connector.mllpPort);
  return {
    url: listener!.url,
    console: service,
    connector,
    api,
    relay,
    dataDir,
    send: async (file) => readAck(await client.send(sample(file))).code,
  };
}

/** A logged-in HTTP session without a browser: the cookie and the page's CSRF token. */
export async function loginHttp(base: string, user: keyof typeof passwords): Promise<{ cookie: string; csrf: string; get(path: string): Promise<{ status: number; text: string; headers: Record<string, unknown> }> }> {
  const form = await request(`${base}/login`);
  const loginCookie = String(form.headers['set-cookie']).split(';')[0]!;
  const token = /name="_csrf" value="([^"]+)"/.exec(await form.body.text())![1]!;
  const answer = await request(`${base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: loginCookie },
    body: new URLSearchParams({ _csrf: token, name: user, password: passwords[user], next: '/' }).toString(),
  });
  await answer.body.dump();
  const set = ([] as string[]).concat(answer.headers['set-cookie'] as string[] | string);
  const cookie = set.find((line) => line.startsWith('caraloom_console='))!.split(';')[0]!;
  const get = async (pathname: string) => {
    const response = await request(`${base}${pathname}`, { headers: { cookie } });
    return { status: response.statusCode, text: await response.body.text(), headers: response.headers as Record<string, unknown> };
  };
  const home = await get('/');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(home.text)![1]!;
  return { cookie, csrf, get };
}
