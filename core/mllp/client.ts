/**
 * Outbound MLLP: sends one framed message at a time on a connection and
 * resolves with the reply frame's payload. Used by `caraloom send` and by the
 * relay's MLLP subscribers. It never sends anything on its own — in
 * particular it never acknowledges the ACKs it receives (a client that does
 * ping-pongs forever with a server that ACKs ACKs).
 */
import net from 'node:net';
import tls from 'node:tls';
import { CaraloomError } from '../errors.js';
import { DEFAULT_MAX_FRAME_BYTES, MllpDecoder, encodeFrame } from './codec.js';

export type MllpClientErrorCode =
  | 'MLLP_CONNECT_FAILED'
  | 'MLLP_CONNECT_TIMEOUT'
  | 'MLLP_TIMEOUT'
  | 'MLLP_CONNECTION_CLOSED'
  | 'MLLP_REPLY_TOO_LARGE'
  | 'MLLP_CLIENT_CLOSED';

/** A send that did not get its reply. All but MLLP_CLIENT_CLOSED are worth retrying. */
export class MllpClientError extends CaraloomError {
  declare readonly code: MllpClientErrorCode;
  constructor(code: MllpClientErrorCode, message: string, cause?: unknown) {
    super(code, message, { retryable: code !== 'MLLP_CLIENT_CLOSED', status: 502, expose: true, cause });
    this.name = 'MllpClientError';
  }
}

export interface MllpClientTlsOptions {
  /** PEM CA(s) to verify the server with; default the system store. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** PEM client certificate and key, for servers that require one. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** SNI / certificate name to expect, when connecting by IP address. */
  servername?: string;
  /** Verify the server certificate. Turning this off exposes patient data to a man in the middle. @default true */
  rejectUnauthorized?: boolean;
}

export interface MllpClientOptions {
  host: string;
  port: number;
  /** `true` for TLS with default settings. */
  tls?: boolean | MllpClientTlsOptions;
  /** How long to wait for each reply. @default 10000 */
  timeoutMs?: number;
  /** How long to wait for the TCP (and TLS) connection. @default 10000 */
  connectTimeoutMs?: number;
  /** Largest reply accepted. @default 1048576 */
  maxFrameBytes?: number;
  /** TCP keep-alive initial delay; 0 off. @default 60000 */
  keepAliveMs?: number;
}

interface Pending {
  resolve(reply: Buffer): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class MllpClient {
  private socket: net.Socket | undefined;
  private connecting: Promise<net.Socket> | undefined;
  private pending: Pending | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  private decoder: MllpDecoder;
  /** Frames that arrived when no send was waiting (dropped, never answered). */
  unsolicited = 0;

  constructor(private readonly options: MllpClientOptions) {
    this.decoder = new MllpDecoder({ maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES });
  }

  get connected(): boolean {
    return this.socket !== undefined && !this.socket.destroyed;
  }

  /** Opens the connection (send() also does this on demand). */
  async connect(): Promise<void> {
    await this.ensureSocket();
  }

  /**
   * Sends one message and resolves with the reply payload. Calls are queued:
   * one message in flight per connection, replies matched by order. A
   * timeout closes the connection (a late reply would otherwise be taken as
   * the next message's) and the next send reconnects.
   */
  send(message: Buffer | string): Promise<Buffer> {
    const result = this.chain.then(() => this.sendNow(message));
    this.chain = result.catch(() => undefined);
    return result;
  }

  /** Closes the connection; queued sends fail with MLLP_CLIENT_CLOSED. */
  async close(): Promise<void> {
    this.closed = true;
    const socket = this.socket;
    this.socket = undefined;
    this.fail(new MllpClientError('MLLP_CLIENT_CLOSED', 'client closed'));
    if (socket === undefined || socket.destroyed) return;
    // A peer that never answers our FIN is cut off after a second.
    const force = setTimeout(() => socket.destroy(), 1_000);
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
    });
    clearTimeout(force);
  }

  private async sendNow(message: Buffer | string): Promise<Buffer> {
    if (this.closed) throw new MllpClientError('MLLP_CLIENT_CLOSED', 'client closed');
    const socket = await this.ensureSocket();
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        if (this.socket === socket) this.socket = undefined;
        socket.destroy();
        reject(new MllpClientError('MLLP_TIMEOUT', `no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending = { resolve, reject, timer };
      socket.write(encodeFrame(message));
    });
  }

  private ensureSocket(): Promise<net.Socket> {
    if (this.closed) return Promise.reject(new MllpClientError('MLLP_CLIENT_CLOSED', 'client closed'));
    if (this.socket !== undefined && !this.socket.destroyed) return Promise.resolve(this.socket);
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private open(): Promise<net.Socket> {
    const { host, port } = this.options;
    const connectTimeoutMs = this.options.connectTimeoutMs ?? 10_000;
    return new Promise<net.Socket>((resolve, reject) => {
      const t = this.options.tls;
      const secure = t === true ? {} : t === false ? undefined : t;
      const readyEvent = secure === undefined ? 'connect' : 'secureConnect';
      const socket =
        secure === undefined
          ? net.connect({ host, port })
          : tls.connect({ host, port, ...secure, rejectUnauthorized: secure.rejectUnauthorized ?? true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new MllpClientError('MLLP_CONNECT_TIMEOUT', `no connection within ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
      const onError = (error: Error): void => {
        clearTimeout(timer);
        reject(new MllpClientError('MLLP_CONNECT_FAILED', 'connection failed', error));
      };
      socket.once('error', onError);
      socket.once(readyEvent, () => {
        clearTimeout(timer);
        socket.off('error', onError);
        this.attach(socket);
        resolve(socket);
      });
    });
  }

  private attach(socket: net.Socket): void {
    this.socket = socket;
    this.decoder.reset();
    socket.setNoDelay(true);
    const keepAliveMs = this.options.keepAliveMs ?? 60_000;
    if (keepAliveMs > 0) socket.setKeepAlive(true, keepAliveMs);
    socket.on('data', (chunk: Buffer) => {
      for (const event of this.decoder.push(chunk)) {
        if (event.type === 'frame') this.deliver(event.payload);
        else if (event.type === 'oversize') {
          this.socket = undefined;
          this.fail(new MllpClientError('MLLP_REPLY_TOO_LARGE', 'reply larger than maxFrameBytes'));
          socket.destroy();
        }
      }
    });
    socket.on('error', () => undefined); // reported through 'close'
    socket.on('close', () => {
      // A socket we already gave up on (after a timeout) must not fail the next send.
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.fail(new MllpClientError('MLLP_CONNECTION_CLOSED', 'connection closed before the reply'));
    });
  }

  private deliver(payload: Buffer): void {
    const pending = this.pending;
    if (pending === undefined) {
      this.unsolicited++;
      return;
    }
    this.pending = undefined;
    clearTimeout(pending.timer);
    pending.resolve(payload);
  }

  private fail(error: Error): void {
    const pending = this.pending;
    if (pending === undefined) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    pending.reject(error);
  }
}
