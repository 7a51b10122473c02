/**
 * Protocol-agnostic connection pools, one per origin. A pool asks its connections what they can
 * do (available, idle, expired, closed) and never looks at the HTTP version, so h1, h2 and h3
 * connections share it. At most `maxPerOrigin` connections per origin exist at once: extra
 * requests wait in line (undici's model, and what "at most N connections" promises), rather than
 * urllib3's open-then-discard. At most `maxOrigins` origins keep idle connections: the least
 * recently used origin with nothing in flight is closed first.
 */

export interface PoolableConnection {
  /** Can take one more request right now. */
  isAvailable(): boolean;
  /** Has no request in flight. */
  isIdle(): boolean;
  /** Idle for longer than the server (or we) allow. */
  hasExpired(now: number): boolean;
  isClosed(): boolean;
  /** Takes one request slot; the pool calls it before handing the connection out. */
  claim(): void;
  close(): void;
  /**
   * Carries concurrent requests (h2, h3). The pool learns it per origin from the first
   * connection: later requests then wait for a handshake in flight instead of opening their own.
   */
  isMultiplexed?(): boolean;
  /** State for the pool summary; optional, a connection without it shows as "unknown". */
  describe?(): ConnectionSummary;
}

/** One connection as the pool summary shows it. */
export interface ConnectionSummary {
  state: "idle" | "active" | "closed";
  /** "HTTP/1.1", "HTTP/2" … */
  protocol: string;
  /** Requests completed on it so far (more than 0: it was reused). */
  served: number;
  /** Peer address, `ip:port`, or null (Unix socket). */
  address: string | null;
  tlsVersion: string | null;
}

/** One origin's pool as {@link ConnectionPool.describe} shows it. */
export interface OriginSummary {
  origin: string;
  connections: number;
  idle: number;
  connecting: number;
  waiting: number;
  /** Each connection, oldest first. */
  details: ConnectionSummary[];
}

export interface PoolOptions {
  maxPerOrigin: number;
  maxOrigins: number;
  /** Connections per origin at most once the origin is known to multiplex. Default maxPerOrigin. */
  maxMultiplexedPerOrigin?: number;
}

interface Waiter<C> {
  /** The waiter's own factory: its signal and timeouts govern a connect made on its behalf. */
  create: ConnectionFactory<C>;
  /** Waits for a handshake in flight (a multiplexed origin) and shares its failure. */
  joined: boolean;
  resolve: (conn: C) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | null;
  onAbort: (() => void) | null;
}

class OriginPool<C extends PoolableConnection> {
  connections: C[] = [];
  connecting = 0;
  waiters: Waiter<C>[] = [];
  /** Learned from the first connection: null until one connected. */
  multiplexed: boolean | null = null;

  get size(): number {
    return this.connections.length + this.connecting;
  }

  isIdle(): boolean {
    return this.connecting === 0 && this.waiters.length === 0 && this.connections.every((c) => c.isIdle());
  }
}

export type ConnectionFactory<C> = () => Promise<C>;

export class ConnectionPool<C extends PoolableConnection> {
  #origins = new Map<string, OriginPool<C>>();
  #options: PoolOptions;
  #closed = false;

  constructor(options: PoolOptions) {
    this.#options = options;
  }

  /**
   * A connection ready for one request: an available pooled one (most recently used first, its
   * socket is the warmest), a new one while under the limit, or the next one freed.
   */
  acquire(
    key: string,
    create: ConnectionFactory<C>,
    signal: AbortSignal | null,
    expectMultiplexed = false,
  ): Promise<C> {
    if (this.#closed) return Promise.reject(new Error("The session is closed"));
    // An aborted signal never fires "abort" again: a queued waiter would hang forever.
    if (signal?.aborted) return Promise.reject(signal.reason);
    const pool = this.#originPool(key);
    const pooled = this.#takeFrom(pool);
    if (pooled !== null) return Promise.resolve(pooled);
    // A handshake in flight to a multiplexed origin will likely serve this request too.
    if ((pool.multiplexed ?? expectMultiplexed) && pool.connecting > 0) {
      return this.#wait(pool, create, signal, true);
    }
    if (pool.size < this.#limit(pool)) return this.#create(pool, create, signal);
    return this.#wait(pool, create, signal, false);
  }

  /**
   * The synchronous half of {@link acquire}: an available pooled connection, claimed, or null
   * (then call `acquire`). Saves the hot path a promise and a microtask per request.
   */
  take(key: string, signal: AbortSignal | null): C | null {
    if (this.#closed || signal?.aborted || !this.#origins.has(key)) return null;
    return this.#takeFrom(this.#originPool(key));
  }

  /** An available connection (most recently used first, its socket is the warmest), claimed. */
  #takeFrom(pool: OriginPool<C>): C | null {
    const now = Date.now();
    const list = pool.connections;
    for (let i = list.length - 1; i >= 0; i--) {
      const conn = list[i]!;
      if (conn.isClosed() || (conn.isIdle() && conn.hasExpired(now))) {
        list.splice(i, 1);
        conn.close();
        continue;
      }
      if (conn.isAvailable()) {
        conn.claim();
        return conn;
      }
    }
    return null;
  }

  #wait(
    pool: OriginPool<C>,
    create: ConnectionFactory<C>,
    signal: AbortSignal | null,
    joined: boolean,
  ): Promise<C> {
    return new Promise<C>((resolve, reject) => {
      const waiter: Waiter<C> = { create, joined, resolve, reject, signal, onAbort: null };
      if (signal) {
        waiter.onAbort = () => {
          const index = pool.waiters.indexOf(waiter);
          if (index >= 0) pool.waiters.splice(index, 1);
          reject(signal.reason);
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      pool.waiters.push(waiter);
    });
  }

  #limit(pool: OriginPool<C>): number {
    const max = this.#options.maxPerOrigin;
    return pool.multiplexed === true ? Math.min(max, this.#options.maxMultiplexedPerOrigin ?? max) : max;
  }

  /** A connection finished a request (or closed): hand it to the next waiter, or let it idle. */
  release(key: string, conn: C, _create: ConnectionFactory<C>): void {
    const pool = this.#origins.get(key);
    const index = pool ? pool.connections.indexOf(conn) : -1;
    // Untracked (evicted, pool closed, already released closed): handing it out would break the limit.
    if (!pool || index < 0) {
      conn.close();
      return;
    }
    if (conn.isClosed()) {
      pool.connections.splice(index, 1);
      // A slot opened: a waiter gets a fresh connection, made with its own factory.
      this.#grow(pool);
      return;
    }
    this.#serveFrom(conn, pool);
  }

  /** Hands `conn` to waiters while it has room. */
  #serveFrom(conn: C, pool: OriginPool<C>): void {
    while (conn.isAvailable()) {
      const waiter = this.#nextWaiter(pool);
      if (!waiter) break;
      conn.claim();
      waiter.resolve(conn);
    }
  }

  /** Closes every connection; waiters are rejected. */
  close(): void {
    this.#closed = true;
    const pools = [...this.#origins.values()];
    // Forget the pools first: a connection that reports its close synchronously finds nothing to refill.
    this.#origins.clear();
    for (const pool of pools) {
      for (const waiter of pool.waiters.splice(0)) {
        if (waiter.onAbort) waiter.signal?.removeEventListener("abort", waiter.onAbort);
        waiter.reject(new Error("The session was closed"));
      }
      for (const conn of pool.connections.splice(0)) conn.close();
    }
  }

  /** A readable picture of the pools, for debugging. */
  describe(): OriginSummary[] {
    return [...this.#origins].map(([origin, pool]) => ({
      origin,
      connections: pool.connections.length,
      idle: pool.connections.filter((c) => c.isIdle()).length,
      connecting: pool.connecting,
      waiting: pool.waiters.length,
      details: pool.connections.map(
        (c): ConnectionSummary =>
          c.describe?.() ?? {
            state: c.isClosed() ? "closed" : c.isIdle() ? "idle" : "active",
            protocol: "unknown",
            served: 0,
            address: null,
            tlsVersion: null,
          },
      ),
    }));
  }

  #nextWaiter(pool: OriginPool<C>): Waiter<C> | undefined {
    const waiter = pool.waiters.shift();
    if (waiter?.onAbort) waiter.signal?.removeEventListener("abort", waiter.onAbort);
    return waiter;
  }

  #originPool(key: string): OriginPool<C> {
    let pool = this.#origins.get(key);
    if (pool) {
      // Keep the map in least-recently-used order.
      if (this.#origins.size > 1) {
        this.#origins.delete(key);
        this.#origins.set(key, pool);
      }
      return pool;
    }
    pool = new OriginPool<C>();
    this.#origins.set(key, pool);
    if (this.#origins.size > this.#options.maxOrigins) this.#evict(key);
    return pool;
  }

  /** Evicts idle origins, least recently used first; never `keep`, the one being acquired for. */
  #evict(keep: string): void {
    for (const [key, pool] of this.#origins) {
      if (this.#origins.size <= this.#options.maxOrigins) return;
      if (key === keep || !pool.isIdle()) continue;
      this.#origins.delete(key);
      for (const conn of pool.connections.splice(0)) conn.close();
    }
  }

  /** Opens connections for waiters while the origin has room (one at a time when it multiplexes). */
  #grow(pool: OriginPool<C>): void {
    while (pool.waiters.length > 0 && pool.size < this.#limit(pool)) {
      const next = pool.waiters[0]!;
      // A multiplexed origin (or one expected to be) opens one connection at a time.
      if (pool.connecting > 0 && (pool.multiplexed ?? next.joined)) return;
      const waiter = this.#nextWaiter(pool)!;
      this.#create(pool, waiter.create, waiter.signal).then(waiter.resolve, waiter.reject);
    }
  }

  async #create(pool: OriginPool<C>, create: ConnectionFactory<C>, signal: AbortSignal | null): Promise<C> {
    pool.connecting++;
    let conn: C;
    try {
      conn = await create();
    } catch (error) {
      pool.connecting--;
      // Those who waited for this handshake share its failure, unless it was our own cancellation.
      if (!(signal?.aborted && error === signal.reason)) this.#rejectJoined(pool, error);
      // The slot is free again: the next in line tries its own connection.
      this.#grow(pool);
      throw error;
    }
    pool.connecting--;
    // close() ran while connecting: nobody will ever release this connection to the pool.
    if (this.#closed) {
      conn.close();
      throw new Error("The session was closed");
    }
    pool.multiplexed = conn.isMultiplexed?.() ?? false;
    pool.connections.push(conn);
    conn.claim();
    this.#serveFrom(conn, pool);
    this.#grow(pool);
    return conn;
  }

  #rejectJoined(pool: OriginPool<C>, error: unknown): void {
    const joined = pool.waiters.filter((w) => w.joined);
    if (joined.length === 0) return;
    pool.waiters = pool.waiters.filter((w) => !w.joined);
    for (const waiter of joined) {
      if (waiter.onAbort) waiter.signal?.removeEventListener("abort", waiter.onAbort);
      waiter.reject(error);
    }
  }
}
