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
  return withUniqueBindings(pino(
    {
      level: process.env.CARALOOM_LOG_LEVEL ?? options.level ?? 'info',
      base: { service: 'caraloom' },
      redact: { paths: redact, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? pino.destination({ dest: 2, sync: false }),
  ));
}

/**
 * How a child's bindings combine with its parent's. pino appends a child's
 * bindings to the parent's text, so `child({ component })` under a component
 * printed the key twice on one line, and log pipelines keep only one of them.
 * Here a nested component is joined (`connector.mllp-server`; a name that
 * already starts with the parent's is kept) and any other rebound key takes
 * the child's value: every line has each key once.
 */
export function mergeBindings(parent: pino.Bindings, child: pino.Bindings): pino.Bindings {
  const merged: pino.Bindings = { ...parent, ...child };
  const outer = parent.component;
  const inner = child.component;
  if (typeof outer === 'string' && typeof inner === 'string' && inner !== outer && !inner.startsWith(`${outer}.`)) merged.component = `${outer}.${inner}`;
  return merged;
}

/** Replaces `child` on the root so every descendant writes merged, unique bindings. */
function withUniqueBindings(root: Logger): Logger {
  const rootText = (root as unknown as Record<symbol, string>)[pino.symbols.chindingsSym]!;
  const rootKeys = new Set(Object.keys(root.bindings()));
  const plainChild = root.child as unknown as (this: Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions) => Logger;
  const child = function (this: Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions): Logger {
    const merged = mergeBindings(this.bindings(), bindings);
    const instance = plainChild.call(this, {}, options);
    // Start again from the root's own bindings (service, pid, hostname), then write each other key once.
    (instance as unknown as Record<symbol, string>)[pino.symbols.chindingsSym] = rootText;
    instance.setBindings(Object.fromEntries(Object.entries(merged).filter(([key]) => !rootKeys.has(key))));
    return instance;
  };
  Object.defineProperty(root, 'child', { value: child, writable: true, configurable: true });
  return root;
}

/** A logger that writes nothing: for tests and dry-run commands. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
