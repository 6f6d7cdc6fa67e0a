/**
 * The MLLP listener (TCP or TLS). It owns sockets only: framing is codec.ts,
 * per-connection ordering is connection.ts, and what a frame means is the
 * caller's `onFrame`. Errors on one connection never reach the process.
 * Who may connect is decided at accept, before a byte is read: `allowFrom`,
 * then a per-peer limit beside the global one (MLLP has no authentication).
 */
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { silentLogger, type Logger } from '../logger.js';
import { type TlsMaterial, tlsServerOptions } from '../tls.js';
import { createAllowList, normalizeAddress } from './allow-from.js';
import { ByteBudget } from './budget.js';
import { DEFAULT_MAX_FRAME_BYTES } from './codec.js';
import { type ConnectionCounters, type ConnectionHandlers, type ConnectionSettings, MllpConnection } from './connection.js';

export type { MllpConnectionInfo, MllpOversizeInfo, MllpReply } from './connection.js';

/** Key material for `mllps://`; the cipher policy is core/tls.ts, shared by every listener. */
export type MllpTlsOptions = TlsMaterial;

export interface MllpServerOptions extends ConnectionHandlers {
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 lets the OS pick. @default 2575 */
  port?: number;
  /** Serve MLLP over TLS (`mllps://`). */
  tls?: MllpTlsOptions;
  /** Largest frame payload; bigger frames are discarded and answered by `onOversize`. @default 1048576 */
  maxFrameBytes?: number;
  /** Close a connection with no traffic for this long; 0 never. @default 300000 (5 min) */
  idleTimeoutMs?: number;
  /** Connections beyond this are refused (closed at once). @default 100 */
  maxConnections?: number;
  /** Connections from one peer address beyond this are refused, so one host cannot take every slot. @default 10 */
  maxConnectionsPerPeer?: number;
  /** Addresses / CIDR ranges (IPv4, IPv6, IPv4-mapped) that may connect; others are closed at accept. @default undefined (anyone) */
  allowFrom?: readonly string[] | undefined;
  /** A frame, once started, must end within this many ms or the connection is closed; 0 never. @default 30000 */
  frameTimeoutMs?: number;
  /** Bytes of frames being handled across all connections; more wait (their sockets unread). @default 1048576 (1 MiB) */
  maxInFlightBytes?: number;
  /** Told about every connection closed by a limit (for metrics); `remoteAddress` only, never content. */
  onDrop?: (reason: MllpDropReason, remoteAddress: string) => void;
  /** TCP keep-alive initial delay; 0 off. @default 60000 */
  keepAliveMs?: number;
  /** A TLS handshake must finish within this. @default 10000 */
  handshakeTimeoutMs?: number;
  logger?: Logger;
}

/** Why the listener closed a connection itself. */
export type MllpDropReason = 'max_connections' | 'per_peer_limit' | 'not_allowed' | 'frame_timeout';

export interface MllpServerStats extends ConnectionCounters {
  connections: number;
  accepted: number;
  /** Refused by `maxConnections`. */
  refused: number;
  /** Refused by `maxConnectionsPerPeer`. */
  peerRefused: number;
  /** Closed at accept: not in `allowFrom`. */
  notAllowed: number;
  /** Frame bytes being handled now (listener-wide budget in use). */
  inFlightBytes: number;
}

export interface MllpServer {
  /** Listen; resolves with `mllp://host:port` (or `mllps://`) and the bound port. */
  start(): Promise<{ url: string; port: number }>;
  /** Stop accepting, answer every frame already received, close; connections still busy after `graceMs` are dropped. */
  stop(graceMs?: number): Promise<void>;
  stats(): MllpServerStats;
}

export function createMllpServer(options: MllpServerOptions): MllpServer {
  const logger = (options.logger ?? silentLogger()).child({ component: 'mllp-server' });
  const onDrop = options.onDrop ?? (() => undefined);
  const settings: ConnectionSettings = {
    maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    idleTimeoutMs: options.idleTimeoutMs ?? 300_000,
    keepAliveMs: options.keepAliveMs ?? 60_000,
    tls: options.tls !== undefined,
    frameTimeoutMs: options.frameTimeoutMs ?? 30_000,
    budget: new ByteBudget(options.maxInFlightBytes ?? 1024 * 1024),
    onFrameTimeout: (info) => onDrop('frame_timeout', info.remoteAddress),
  };
  const handlers: ConnectionHandlers = { onFrame: options.onFrame, onOversize: options.onOversize };
  const counters: ConnectionCounters = { frames: 0, replies: 0, skippedBytes: 0, oversize: 0, handlerErrors: 0, frameTimeouts: 0 };
  const allowed = createAllowList(options.allowFrom);
  const perPeerMax = options.maxConnectionsPerPeer ?? 10;
  const perPeer = new Map<string, number>();
  let accepted = 0;
  let refused = 0;
  let peerRefused = 0;
  let notAllowed = 0;
  const live = new Set<MllpConnection>();
  // Every accepted TCP socket, including TLS ones still in their handshake
  // (not yet in `live`): a peer that drops mid-handshake on a half-open socket
  // would otherwise keep `server.close()` waiting for ever.
  const sockets = new Set<net.Socket>();
  let nextId = 1;
  let server: net.Server | undefined;

  /**
   * Runs first on every TCP connection (before TLS wraps it, before any read):
   * false when the socket was closed here.
   */
  const admit = (socket: net.Socket): boolean => {
    const remote = socket.remoteAddress ?? '';
    const peer = normalizeAddress(remote);
    if (!allowed(remote)) {
      notAllowed++;
      logger.warn({ remote: peer }, 'mllp connection refused: address not in allowFrom');
      onDrop('not_allowed', peer);
      socket.destroy();
      return false;
    }
    const open = perPeer.get(peer) ?? 0;
    if (open >= perPeerMax) {
      peerRefused++;
      logger.warn({ remote: peer, max: perPeerMax }, 'mllp connection refused: too many connections from this peer');
      onDrop('per_peer_limit', peer);
      socket.destroy();
      return false;
    }
    perPeer.set(peer, open + 1);
    socket.once('close', () => {
      const left = (perPeer.get(peer) ?? 1) - 1;
      if (left <= 0) perPeer.delete(peer);
      else perPeer.set(peer, left);
    });
    return true;
  };

  const onSocket = (socket: net.Socket): void => {
    if (socket.destroyed) return; // refused by `admit`
    accepted++;
    const connection = new MllpConnection(socket, nextId++, handlers, counters, logger, settings);
    live.add(connection);
    socket.once('close', () => live.delete(connection));
    logger.debug({ conn: connection.info.connectionId, remote: connection.info.remoteAddress }, 'mllp connection opened');
  };

  const build = (): net.Server => {
    if (options.tls === undefined) return net.createServer({ allowHalfOpen: true }, onSocket);
    const secure = tls.createServer(
      { ...tlsServerOptions(options.tls), allowHalfOpen: true, handshakeTimeout: options.handshakeTimeoutMs ?? 10_000 },
      onSocket,
    );
    secure.on('tlsClientError', (error) => logger.warn({ code: (error as { code?: string }).code ?? error.message }, 'mllp tls handshake failed'));
    return secure;
  };

  return {
    async start() {
      const s = build();
      s.maxConnections = options.maxConnections ?? 100;
      s.on('drop', (data?: { remoteAddress?: string }) => {
        refused++;
        logger.warn({ max: s.maxConnections }, 'mllp connection refused: too many connections');
        onDrop('max_connections', normalizeAddress(data?.remoteAddress ?? ''));
      });
      s.on('error', (error) => logger.error({ err: error.message }, 'mllp server error'));
      // Prepended: for TLS this runs before the handshake starts.
      s.prependListener('connection', (socket: net.Socket) => {
        if (!admit(socket)) return;
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(options.port ?? 2575, options.host ?? '127.0.0.1', () => {
          s.off('error', reject);
          resolve();
        });
      });
      server = s;
      const address = s.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      const url = `${settings.tls ? 'mllps' : 'mllp'}://${host}:${address.port}`;
      logger.info({ url }, 'mllp listening');
      return { url, port: address.port };
    },

    async stop(graceMs = 10_000) {
      const s = server;
      if (s === undefined) return;
      server = undefined;
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([Promise.all([...live].map((c) => c.end())), grace]);
      clearTimeout(timer);
      for (const connection of live) connection.destroy();
      for (const socket of sockets) socket.destroy();
      await closed;
    },

    stats() {
      return { ...counters, connections: live.size, accepted, refused, peerRefused, notAllowed, inFlightBytes: settings.budget.inUse };
    },
  };
}
