import { auditCommand } from './audit.js';
import { backupCommand, restoreCommand } from './backup.js';
import { connectorCommands } from './connector.js';
import { consoleCommands } from './console.js';
import { doctorCommand } from './doctor.js';
import { keysCommand } from './keys.js';
import { pruneCommand } from './prune.js';
import { relayCommands } from './relay.js';
import { reloadCommand } from './reload.js';
import { sandboxCommands } from './sandbox.js';
import { upCommand } from './up.js';
import type { AnyCommandModule } from './command-module.js';

/** Every top-level command, in the order `caraloom --help` lists them. */
export const commandModules: AnyCommandModule[] = [upCommand, ...sandboxCommands, ...connectorCommands, ...relayCommands, ...consoleCommands, doctorCommand, backupCommand, restoreCommand, auditCommand, pruneCommand, keysCommand, reloadCommand];
