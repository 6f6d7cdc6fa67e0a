import pino from 'pino';

export type Logger = pino.Logger;

/**
 * Paths that could carry patient data if a caller ever logged a whole object.
 * Belt and braces: components log ids and sizes only.
 */
const redact = [
  'payload', '*.payload', 'body', '*.body', 'message', '*.raw', 'raw', 'patient', '*.patient',
  'req.headers.authorization', 'req.headers["x-api-key"]', 'headers.authorization', 'headers["x-api-key"]',
  'apiKey', '*.apiKey', 'secret', '*.secret', 'secrets', '*.secrets', 'token', '*.token',
];

export interface LoggerOptions {
  /** @default 'info' */
  level?: string;
  /**
   * Write to this destination (tests pass a stream). Default: standard error,
   * so standard output carries only the `NAME listening on URL` lines and
   * command output that scripts read.
   */
  destination?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: process.env.CARALOOM_LOG_LEVEL ?? options.level ?? 'info',
      base: { service: 'caraloom' },
      redact: { paths: redact, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? pino.destination({ dest: 2, sync: false }),
  );
}

/** A logger that writes nothing: for tests and dry-run commands. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
