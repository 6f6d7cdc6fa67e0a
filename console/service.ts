/**
 * `createConsole(options) → Service`: the operator console — one Koa app on
 * its own listener, reading and acting only through the admin APIs of the
 * connectors and relays named in `console.connectors` / `console.relays`.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { systemClock, type Clock } from '../core/clock.js';
import { listenHttp, type HttpListener } from '../core/http/listen.js';
import { readTlsMaterial } from '../core/tls.js';
import type { Logger } from '../core/logger.js';
import type { Listener, Service } from '../core/service.js';
import { createAdminClient } from './admin-client.js';
import { createConsoleApp } from './app.js';
import { createAuditLog } from './audit.js';
import type { ConsoleConfig } from './config.js';
import { createSessionStore } from './sessions.js';
import { createLoginThrottle } from './throttle.js';

export interface ConsoleOptions {
  /** The `console:` config section (`consoleConfig({...})` builds one). */
  config: ConsoleConfig;
  /** Folder the users and audit files are relative to. */
  dataDir: string;
  logger: Logger;
  /** Session idle time and login back-off read it; tests inject a ManualClock. @default systemClock */
  clock?: Clock;
}

export interface ConsoleService extends Service {
  readonly url: string | undefined;
}

export const usersFileOf = (config: ConsoleConfig, dataDir: string) => path.resolve(dataDir, config.usersFile);
export const auditFileOf = (config: ConsoleConfig, dataDir: string) => path.resolve(dataDir, config.auditFile);

export function createConsole(options: ConsoleOptions): ConsoleService {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const log = options.logger.child({ component: 'console' });
  let listener: HttpListener | undefined;

  return {
    get url() {
      return listener?.url;
    },
    async start(): Promise<Listener[]> {
      mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
      const auditFile = auditFileOf(config, options.dataDir);
      const deps = {
        config,
        connectors: config.connectors.map((target) => createAdminClient(target, config.requestTimeout)),
        relays: config.relays.map((target) => createAdminClient(target, config.requestTimeout)),
        sessions: createSessionStore({ idleMs: config.idleTimeout, clock }),
        throttle: createLoginThrottle({ clock }),
        audit: createAuditLog(auditFile, clock),
        usersFile: usersFileOf(config, options.dataDir),
        clock,
        logger: log,
      };
      const app = createConsoleApp(deps, auditFile);
      listener = await listenHttp(app.callback(), config.host, config.port, { tls: config.tls === undefined ? undefined : await readTlsMaterial(config.tls, 'console.tls') });
      log.info({ url: listener.url, connectors: config.connectors.length, relays: config.relays.length }, 'console started');
      return [{ service: 'console', url: listener.url }];
    },
    async stop(): Promise<void> {
      await listener?.close();
      listener = undefined;
    },
  };
}
