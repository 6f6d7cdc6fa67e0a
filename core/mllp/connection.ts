/**
 * One accepted MLLP connection: deframes what arrives, hands frames to the
 * handler ONE AT A TIME in arrival order (so a pipelining sender gets its
 * replies in order, and one patient's messages reach the journal in order),
 * and writes each reply framed. Memory stays bounded: the decoder caps the
 * frame size and the socket is paused while too many frames wait.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../logger.js';
import { describeError } from '../errors.js';
import { MllpDecoder, encodeFrame } from './codec.js';

export interface MllpConnectionInfo {
  /** Peer IP address (no port). */
  remoteAddress: string;
  /** Sequential per server, for logs. */
  connectionId: number;
  tls: boolean;
  /** TLS only: the client certificate's subject CN, when one was presented and verified. */
  peerCommonName?: string;
}

export interface MllpOversizeInfo extends MllpConnectionInfo {
  /** Bytes received when the frame crossed the limit. */
  bytes: number;
  /** The frame's first bytes (the MSH lives there). Patient data: never log it. */
  head: Buffer;
}

/** The reply to send in a frame, or undefined for none (e.g. the frame was an ACK). */
export type MllpReply = Buffer | string | undefined;

export interface ConnectionHandlers {
  onFrame(payload: Buffer, info: MllpConnectionInfo): Promise<MllpReply> | MllpReply;
  onOversize?(info: MllpOversizeInfo): Promise<MllpReply> | MllpReply;
}

export interface ConnectionCounters {
  frames: number;
  replies: number;
  skippedBytes: number;
  oversize: number;
  handlerErrors: number;
}

/** Frames that may wait behind the one being handled before the socket is paused. */
const MAX_QUEUED_FRAMES = 32;

export class MllpConnection {
  readonly info: MllpConnectionInfo;
  private readonly decoder: MllpDecoder;
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private closed = false;
  private closeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: Socket | TLSSocket,
    id: number,
    private readonly handlers: ConnectionHandlers,
    private readonly counters: ConnectionCounters,
    private readonly logger: Logger,
    options: { maxFrameBytes: number; idleTimeoutMs: number; keepAliveMs: number; tls: boolean },
  ) {
    this.decoder = new MllpDecoder({ maxFrameBytes: options.maxFrameBytes });
    this.info = { remoteAddress: socket.remoteAddress ?? '', connectionId: id, tls: options.tls };
    if (options.tls) {
      const cn = (socket as TLSSocket).getPeerCertificate?.()?.subject?.CN;
      if (typeof cn === 'string' && (socket as TLSSocket).authorized) this.info.peerCommonName = cn;
    }
    socket.setNoDelay(true);
    // Engines keep MLLP connections open for hours; keep-alive probes let a
    // firewall that silently drops idle flows be noticed by both ends.
    if (options.keepAliveMs > 0) socket.setKeepAlive(true, options.keepAliveMs);
    if (options.idleTimeoutMs > 0) {
      socket.setTimeout(options.idleTimeoutMs, () => this.onIdle(options.idleTimeoutMs));
    }
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.logger.debug({ conn: id, err: describeError(error) }, 'mllp connection error'));
    // A sender may half-close right after its last frame (`printf … | nc` does):
    // the server allows half-open sockets so those replies still go out, then ends.
    socket.on('end', () => {
      void this.queue.then(() => {
        if (!this.closed && !this.socket.destroyed) this.socket.end();
      });
    });
    socket.on('close', () => this.onClose());
  }

  /** Resolves once every frame received so far has been answered. */
  drained(): Promise<void> {
    return this.queue;
  }

  /** Finish what was received, then half-close; resolves once the last reply is flushed. */
  async end(): Promise<void> {
    await this.queue;
    if (this.closed || this.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end(() => resolve());
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    for (const event of this.decoder.push(chunk)) {
      if (event.type === 'skipped') {
        this.counters.skippedBytes += event.bytes;
        this.logger.debug({ conn: this.info.connectionId, bytes: event.bytes }, 'mllp bytes outside a frame skipped');
      } else if (event.type === 'frame') {
        this.counters.frames++;
        const payload = event.payload;
        this.enqueue(() => this.handlers.onFrame(payload, this.info));
      } else {
        this.counters.oversize++;
        this.logger.warn({ conn: this.info.connectionId, bytes: event.bytes }, 'mllp frame over the size limit');
        const onOversize = this.handlers.onOversize;
        const info: MllpOversizeInfo = { ...this.info, bytes: event.bytes, head: event.head };
        this.enqueue(() => (onOversize === undefined ? Promise.reject(new Error('frame too large')) : onOversize(info)));
      }
    }
  }

  private enqueue(handle: () => Promise<MllpReply> | MllpReply): void {
    this.queued++;
    if (this.queued > MAX_QUEUED_FRAMES) this.socket.pause();
    this.queue = this.queue.then(async () => {
      try {
        const reply = await handle();
        if (reply !== undefined && !this.closed && this.socket.writable) {
          this.socket.write(encodeFrame(reply));
          this.counters.replies++;
        }
      } catch (error) {
        // The sender waits for a reply we cannot give: close rather than leave it hanging.
        this.counters.handlerErrors++;
        this.logger.error({ conn: this.info.connectionId, err: describeError(error) }, 'mllp handler failed; closing connection');
        this.socket.destroy();
      } finally {
        this.queued--;
        if (this.queued <= MAX_QUEUED_FRAMES / 2 && this.socket.isPaused() && !this.closed) this.socket.resume();
      }
    });
  }

  private onIdle(idleTimeoutMs: number): void {
    if (this.queued > 0) {
      this.socket.setTimeout(idleTimeoutMs); // busy, not idle: check again later
      return;
    }
    this.logger.debug({ conn: this.info.connectionId }, 'mllp connection idle; closing');
    this.socket.end();
    // A peer that never answers our FIN would keep the socket; give it a moment.
    this.closeTimer = setTimeout(() => this.socket.destroy(), 2_000);
  }

  private onClose(): void {
    this.closed = true;
    clearTimeout(this.closeTimer);
    const dropped = this.decoder.reset();
    if (dropped > 0) this.logger.warn({ conn: this.info.connectionId, bytes: dropped }, 'mllp connection closed mid-frame');
  }
}
