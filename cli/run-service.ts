import { formatListener, type Service } from '../core/service.js';
import type { Logger } from '../core/logger.js';

/**
 * Start a service, print one `NAME listening on URL` line per listener, and
 * stop it gracefully on SIGINT/SIGTERM (in-flight work finished, exit 0).
 * Resolves once the service has stopped.
 */
export async function runService(service: Service, logger: Logger, afterStart?: () => void | Promise<void>): Promise<void> {
  const listeners = await service.start();
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
          logger.flush();
          resolve();
        });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
