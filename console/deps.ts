import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { AdminClient } from './admin-client.js';
import type { AuditLog } from './audit.js';
import type { ConsoleConfig } from './config.js';
import type { SessionStore } from './sessions.js';
import type { LoginThrottle } from './throttle.js';

/** What every route of the console is handed; built once in service.ts. */
export interface ConsoleDeps {
  config: ConsoleConfig;
  connectors: readonly AdminClient[];
  relays: readonly AdminClient[];
  sessions: SessionStore;
  throttle: LoginThrottle;
  audit: AuditLog;
  /** Absolute path of the users file. */
  usersFile: string;
  clock: Clock;
  logger: Logger;
}
