/**
 * One error base for the whole product. The `code` is stable and decides
 * behaviour (an HL7 AR 207, an HTTP 503, a retry); the message is short and
 * fixed so it can be shown to a client when `expose` is true. Never put
 * patient data in a message: callers log codes and ids, not content.
 */
export interface CaraloomErrorOptions {
  /** Whether retrying the same operation later may succeed. @default false */
  retryable?: boolean;
  /** HTTP status to answer with when this error reaches an HTTP door. @default 500 */
  status?: number;
  /** Whether `message` may be shown to the client. @default status < 500 */
  expose?: boolean;
  /** Structured, PHI-free details (paths, parameter names, expected values). */
  details?: unknown;
  cause?: unknown;
}

export class CaraloomError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly status: number;
  readonly expose: boolean;
  readonly details: unknown;

  constructor(code: string, message: string, options: CaraloomErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CaraloomError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.status = options.status ?? 500;
    this.expose = options.expose ?? this.status < 500;
    this.details = options.details;
  }
}

/** The journal (SQLite or PostgreSQL) cannot be written: HL7 AR 207, HTTP 503. */
export class StorageUnavailableError extends CaraloomError {
  constructor(cause?: unknown) {
    super('STORAGE_UNAVAILABLE', 'storage unavailable', { retryable: true, status: 503, expose: true, cause });
    this.name = 'StorageUnavailableError';
  }
}

/** Configuration or mapping file that does not validate; `details` lists every bad path. */
export class ConfigError extends CaraloomError {
  constructor(message: string, details?: unknown, cause?: unknown) {
    super('CONFIG_INVALID', message, { details, cause, expose: true, status: 500 });
    this.name = 'ConfigError';
  }
}

export function isCaraloomError(value: unknown): value is CaraloomError {
  return value instanceof CaraloomError;
}

/** A short, PHI-free description of any thrown value, for logs and stored attempts. */
export function describeError(error: unknown): string {
  if (error instanceof CaraloomError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
