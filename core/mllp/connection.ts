/**
 * One accepted MLLP connection: deframes what arrives, hands frames to the
 * handler ONE AT A TIME in arrival order (so a pipelining sender gets its
 * replies in order, and one patient's messages reach the journal in order),
 * and writes each reply framed. Memory stays bounded: the decoder caps the
 * frame size, the socket is not read while a frame's ACK is pending (a
 * pipelining sender's next frames wait in its own buffers and the kernel's,
 * not ours), the listener's byte budget caps what all connections handle at
 * once, and a frame once started must end within a deadline.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../logger.js';
import { describeError } from '../errors.js';
import type { ByteBudget } from './budget.js';
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
  /** Connections closed because a frame was not finished within `frameTimeoutMs`. */
  frameTimeouts: number;
}

export interface ConnectionSettings {
  maxFrameBytes: number;
  idleTimeoutMs: number;
  keepAliveMs: number;
  tls: boolean;
  /** A frame, once its start block arrived, must end within this; 0 never. */
  frameTimeoutMs: number;
  /** Shared by every connection of one listener. */
  budget: ByteBudget;
  /** Told when a frame deadline closes the connection (metrics). */
  onFrameTimeout?: ((info: MllpConnectionInfo) => void) | undefined;
}

export class MllpConnection {
  readonly info: MllpConnectionInfo;
  private readonly decoder: MllpDecoder;
  private queue: Promise<void> = Promise.resolve();
  /** Frames received and not yet answered: the one being handled and any decoded from the same chunk. */
  private unanswered = 0;
  /** Waiting for the peer to take an ACK (it may not be reading): not busy, so the idle timer may close it. */
  private writing = false;
  private closed = false;
  private closeTimer: NodeJS.Timeout | undefined;
  private frameTimer: NodeJS.Timeout | undefined;
  /** `decoder.framesEnded` when the running frame deadline started. */
  private frameTimerFor = -1;

  constructor(
    private readonly socket: Socket | TLSSocket,
    id: number,
    private readonly handlers: ConnectionHandlers,
    private readonly counters: ConnectionCounters,
    private readonly logger: Logger,
    private readonly settings: ConnectionSettings,
  ) {
    this.decoder = new MllpDecoder({ maxFrameBytes: settings.maxFrameBytes });
    this.info = { remoteAddress: socket.remoteAddress ?? '', connectionId: id, tls: settings.tls };
    if (settings.tls) {
      const cn = (socket as TLSSocket).getPeerCertificate?.()?.subject?.CN;
      if (typeof cn === 'string' && (socket as TLSSocket).authorized) this.info.peerCommonName = cn;
    }
    socket.setNoDelay(true);
    // Engines keep MLLP connections open for hours; keep-alive probes let a
    // firewall that silently drops idle flows be noticed by both ends.
    if (settings.keepAliveMs > 0) socket.setKeepAlive(true, settings.keepAliveMs);
    if (settings.idleTimeoutMs > 0) {
      socket.setTimeout(settings.idleTimeoutMs, () => this.onIdle(settings.idleTimeoutMs));
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
        this.enqueue(payload.length, () => this.handlers.onFrame(payload, this.info));
      } else {
        this.counters.oversize++;
        this.logger.warn({ conn: this.info.connectionId, bytes: event.bytes }, 'mllp frame over the size limit');
        const onOversize = this.handlers.onOversize;
        const info: MllpOversizeInfo = { ...this.info, bytes: event.bytes, head: event.head };
        this.enqueue(event.head.length, () => (onOversize === undefined ? Promise.reject(new Error('frame too large')) : onOversize(info)));
      }
    }
    this.armFrameDeadline();
  }

  private enqueue(bytes: number, handle: () => Promise<MllpReply> | MllpReply): void {
    this.unanswered++;
    // Read nothing more until this frame is answered: one frame per connection in memory.
    this.socket.pause();
    this.queue = this.queue.then(() => this.answer(bytes, handle));
  }

  private async answer(bytes: number, handle: () => Promise<MllpReply> | MllpReply): Promise<void> {
    const release = await this.settings.budget.acquire(bytes);
    try {
      const reply = await handle();
      release();
      if (reply !== undefined && !this.closed && this.socket.writable) {
        this.counters.replies++;
        await this.write(encodeFrame(reply));
      }
    } catch (error) {
      // The sender waits for a reply we cannot give: close rather than leave it hanging.
      this.counters.handlerErrors++;
      this.logger.error({ conn: this.info.connectionId, err: describeError(error) }, 'mllp handler failed; closing connection');
      this.socket.destroy();
    } finally {
      release();
      this.unanswered--;
      // Resume only once the ACK has left: a peer that sends without reading is not read either.
      if (this.unanswered === 0 && !this.closed) {
        this.socket.resume();
        this.armFrameDeadline();
      }
    }
  }

  /** Resolves once the kernel took the bytes (or the socket closed). */
  private write(frame: Buffer): Promise<void> {
    this.writing = true;
    return new Promise((resolve) => {
      const done = () => {
        this.writing = false;
        this.socket.off('close', done);
        resolve();
      };
      this.socket.once('close', done);
      this.socket.write(frame, done);
    });
  }

  /**
   * Runs the frame deadline while a frame is open and we are reading. It starts
   * at the frame's first byte and is not extended by more bytes or by a
   * restarting start block (a slow sender cannot hold a connection by trickling);
   * it is suspended while the socket is paused by us, since the sender cannot
   * finish then, and starts afresh on resume.
   */
  private armFrameDeadline(): void {
    const ms = this.settings.frameTimeoutMs;
    if (ms <= 0) return;
    const open = this.decoder.pending && !this.socket.isPaused() && !this.closed;
    if (!open) {
      clearTimeout(this.frameTimer);
      this.frameTimer = undefined;
      return;
    }
    if (this.frameTimer !== undefined && this.frameTimerFor === this.decoder.framesEnded) return;
    clearTimeout(this.frameTimer);
    this.frameTimerFor = this.decoder.framesEnded;
    this.frameTimer = setTimeout(() => this.onFrameTimeout(ms), ms);
  }

  private onFrameTimeout(ms: number): void {
    this.frameTimer = undefined;
    if (this.closed) return;
    this.counters.frameTimeouts++;
    // Nothing of a half frame can be parsed or answered: close, naming only the peer.
    this.logger.warn({ conn: this.info.connectionId, remote: this.info.remoteAddress, bytes: this.decoder.bufferedBytes, deadlineMs: ms }, 'mllp frame not finished within the deadline; closing');
    this.settings.onFrameTimeout?.(this.info);
    this.socket.destroy();
  }

  private onIdle(idleTimeoutMs: number): void {
    if (this.unanswered > 0 && !this.writing) {
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
    clearTimeout(this.frameTimer);
    this.frameTimer = undefined;
    const dropped = this.decoder.reset();
    if (dropped > 0) this.logger.warn({ conn: this.info.connectionId, bytes: dropped }, 'mllp connection closed mid-frame');
  }
}
