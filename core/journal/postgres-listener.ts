import pg from 'pg';

/** Longest wait between attempts to re-open the LISTEN connection. */
const maxBackoffMs = 5_000;
/** A LISTEN connection only receives, so it would never notice a silently dead path without asking. */
const heartbeatMs = 30_000;

/**
 * One dedicated connection per instance that LISTENs on the journal's
 * channel and turns every NOTIFY (payload: the queue name) into a local
 * wake-up. Every commit that makes work due — on any instance — sends one,
 * so an idle worker wakes within milliseconds instead of at its next poll.
 *
 * The connection is opened on the first `watch()` and re-opened with backoff
 * when it drops; after a reconnect every watcher is woken once, because
 * notifications sent while it was down are lost. Workers still poll
 * (`idlePollMs`), so a dead listener costs latency, never work.
 */
export class NotifyListener {
  readonly #config: pg.ClientConfig;
  readonly #channel: string;
  readonly #onNotify: (queue: string) => void;
  readonly #onReconnect: () => void;
  #client: pg.Client | undefined;
  #timer: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #backoffMs = 100;
  #started = false;
  #closed = false;

  constructor(config: pg.ClientConfig, channel: string, onNotify: (queue: string) => void, onReconnect: () => void) {
    this.#config = config;
    this.#channel = channel;
    this.#onNotify = onNotify;
    this.#onReconnect = onReconnect;
  }

  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    void this.#connect(false);
    this.#heartbeat = setInterval(() => {
      const client = this.#client;
      client?.query('SELECT 1').catch(() => this.#lost(client));
    }, heartbeatMs).unref();
  }

  async #connect(reconnected: boolean): Promise<void> {
    this.#timer = undefined;
    if (this.#closed) return;
    const client = new pg.Client(this.#config);
    client.on('error', () => this.#lost(client)); // without a listener pg would crash the process
    client.on('end', () => this.#lost(client));
    client.on('notification', (message) => {
      if (message.channel === this.#channel && message.payload !== undefined) this.#onNotify(message.payload);
    });
    this.#client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${this.#channel}`);
      if (this.#closed) return void (await client.end().catch(() => undefined));
      this.#backoffMs = 100;
      if (reconnected) this.#onReconnect();
    } catch {
      this.#lost(client);
    }
  }

  #lost(client: pg.Client): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    client.removeAllListeners('end');
    void client.end().catch(() => undefined);
    if (this.#closed || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => void this.#connect(true), this.#backoffMs);
    this.#backoffMs = Math.min(this.#backoffMs * 2, maxBackoffMs);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    const client = this.#client;
    this.#client = undefined;
    if (client !== undefined) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
    }
  }
}
