import { formatListener, type Listener, type Service } from '../core/service.js';
import type { Logger } from '../core/logger.js';
import type { ReloadResult } from '../core/reload.js';
import { writePidFile, writeReloadRecord } from './service-files.js';

/** Where a service started from the CLI leaves its pid file and reload answers (cli/service-files.ts). */
export interface ServiceFiles {
  dataDir: string;
  /** `connector`, `relay`, `up`. */
  name: string;
}

/**
 * Start a service, print one `NAME listening on URL` line per listener, and
 * stop it gracefully on SIGINT/SIGTERM (in-flight work finished, exit 0).
 * SIGHUP reloads (systemd's `ExecReload`, `caraloom reload`); a service with
 * nothing to reload keeps running, where Node's default would end it.
 * Resolves once the service has stopped.
 */
export async function runService(service: Service, logger: Logger, afterStart?: () => void | Promise<void>, files?: ServiceFiles): Promise<void> {
  let seq = 0;
  const hup = () => {
    void (async () => {
      const result: ReloadResult = service.reload === undefined ? { ok: false, service: files?.name ?? 'service', problems: ['this service has nothing to reload'] } : await service.reload({ actor: 'signal:SIGHUP' });
      if (service.reload === undefined) logger.info('SIGHUP: this service has nothing to reload');
      seq += 1;
      if (files !== undefined) writeReloadRecord(files.dataDir, files.name, { pid: process.pid, seq, at: new Date().toISOString(), result });
    })().catch((error: unknown) => logger.error({ err: error instanceof Error ? error.message : String(error) }, 'reload failed'));
  };
  // Before the pid file exists: a SIGHUP that `caraloom reload` sends must never meet Node's default (exit).
  process.on('SIGHUP', hup);
  let listeners: Listener[];
  try {
    listeners = await service.start();
  } catch (error) {
    process.off('SIGHUP', hup);
    throw error;
  }
  // Before the listening lines: once a service says it listens, `caraloom reload` finds it.
  const removePidFile = files === undefined ? undefined : writePidFile(files.dataDir, files.name);
  for (const listener of listeners) process.stdout.write(`${formatListener(listener)}\n`);
  await afterStart?.();
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping');
      service
        .stop()
        .catch((error: unknown) => logger.error({ err: error instanceof Error ? error.message : String(error) }, 'error while stopping'))
        .finally(() => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          process.off('SIGHUP', hup);
          removePidFile?.();
          logger.flush();
          resolve();
        });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
