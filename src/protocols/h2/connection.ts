/**
 * Drives one HTTP/2 connection over an already-connected socket (TLS with ALPN h2, or TCP for
 * h2c with prior knowledge) on node:http2. It multiplexes: the pool may hand it out while it has
 * free stream slots (the peer's SETTINGS_MAX_CONCURRENT_STREAMS), and every stream is an
 * {@link H2Exchange} speaking our event vocabulary. GOAWAY drains it: unprocessed streams fail
 * with UnprocessedRequestError (the transport replays them on a new connection), the others
 * finish. Idle, it PINGs every `keepaliveIdleWindow` ms and closes after `keepaliveDelay` ms.
 */
import http2, { type ClientHttp2Session } from "node:http2";
import type { Socket } from "node:net";
import { ConnectionError, ConnectTimeout, ProtocolError } from "../../errors/errors.ts";
import type { ConnectTimings } from "../../net/connect.ts";
import { formatAddress } from "../../net/format-address.ts";
import type { ConnectionSummary, PoolableConnection } from "../../pool/connection-pool.ts";
import type {
  ConnectionInfo,
  TransportContext,
  TransportRequest,
  TransportResponse,
} from "../../transport/transport.ts";
import { baseConnectionInfo } from "../base-connection-info.ts";
import { StaleConnectionError } from "../h1/connection.ts";
import { type ExchangeHost, H2Exchange } from "./h2-exchange.ts";
import { UnprocessedRequestError } from "./unprocessed-request-error.ts";

const { NGHTTP2_NO_ERROR, NGHTTP2_REFUSED_STREAM } = http2.constants;

export interface H2ConnectionOptions {
  /** Close the connection after this many ms without a stream; null keeps it. */
  keepaliveDelay: number | null;
  /** While idle, PING the server every this many ms (a dead peer is found early); null: never. */
  keepaliveIdleWindow: number | null;
}

/** Per-stream receive window: large enough for full speed on fast links, bounded per stream. */
const STREAM_WINDOW = 4 * 1024 * 1024;
/** Connection receive window, shared by all streams. */
const CONNECTION_WINDOW = 32 * 1024 * 1024;
/** A PING unanswered for this long (or the idle window, if longer) means the peer is gone. */
const PING_ACK_MIN_WAIT = 2000;
/** Until the server's SETTINGS say otherwise (RFC 9113 recommends at least 100). */
const DEFAULT_MAX_STREAMS = 100;

export class H2Connection implements PoolableConnection, ExchangeHost {
  readonly session: ClientHttp2Session;
  readonly #baseInfo: ConnectionInfo;
  readonly #mapError: (error: unknown) => unknown;
  readonly #options: H2ConnectionOptions;
  readonly #exchanges = new Set<H2Exchange>();
  readonly #ready: Promise<void>;
  #reserved = 0;
  #maxStreams = DEFAULT_MAX_STREAMS;
  #settingsReceived = false;
  #draining = false;
  #closed = false;
  #releasedToPool = false;
  #served = 0;
  #idleSince = Date.now();
  #goaway: { code: number; lastStreamId: number } | null = null;
  #sessionError: unknown = null;
  #pingTimer: NodeJS.Timeout | null = null;
  #deadlineTimer: NodeJS.Timeout | null = null;
  #deadlineAt = Number.POSITIVE_INFINITY;
  #expireTimer: NodeJS.Timeout | null = null;
  /** The session keeps the process alive (it has work). */
  #refed = false;
  /** Called when the connection can take requests again, or is gone (the pool drops it). */
  onRelease: (conn: H2Connection) => void = () => {};

  constructor(
    socket: Socket,
    authority: string,
    timings: ConnectTimings,
    info: Partial<ConnectionInfo>,
    mapError: (error: unknown) => unknown,
    options: H2ConnectionOptions,
  ) {
    this.#mapError = mapError;
    this.#options = options;
    this.#baseInfo = baseConnectionInfo(socket, timings, 20, info);
    const session = http2.connect(authority, {
      createConnection: () => socket,
      settings: { enablePush: false, initialWindowSize: STREAM_WINDOW },
      // In MB; the default (10) is tight for many streams at full speed.
      maxSessionMemory: 64,
    });
    this.session = session;
    this.#ready = new Promise<void>((resolve, reject) => {
      session.once("remoteSettings", () => resolve());
      session.once("close", () => {
        const cause = this.#sessionError ?? undefined;
        const detail = cause instanceof Error ? `: ${cause.message}` : "";
        const message = `The server did not answer in HTTP/2 (no SETTINGS frame)${detail}`;
        const broken = cause !== undefined && this.#mapError(cause) instanceof ProtocolError;
        reject(broken ? new ProtocolError(message, { cause }) : new ConnectionError(message, { cause }));
      });
    });
    this.#ready.catch(() => {});
    session.on("remoteSettings", (settings) => {
      this.#settingsReceived = true;
      this.#maxStreams = settings.maxConcurrentStreams ?? Number.MAX_SAFE_INTEGER;
      // A raised limit frees slots for waiting requests.
      if (!this.isIdle() && this.isAvailable()) this.onRelease(this);
    });
    session.once("connect", () => {
      if (!session.destroyed) session.setLocalWindowSize(CONNECTION_WINDOW);
    });
    session.on("goaway", (code, lastStreamId) => this.#onGoaway(code, lastStreamId));
    session.on("error", (error) => {
      this.#sessionError = error;
    });
    session.on("close", () => this.#onClose());
    // Server push is off in our SETTINGS; a server that pushes anyway is refused.
    session.on("stream", (pushed) => pushed.close(NGHTTP2_REFUSED_STREAM));
    session.unref();
  }

  /** Resolves once the server's SETTINGS arrived (its stream limit is known). */
  ready(timeoutMs: number | null, signal: AbortSignal | null): Promise<void> {
    if (this.#settingsReceived) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | null = null;
      const onAbort = (): void => settle(signal?.reason);
      const settle = (error?: unknown): void => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        if (error === undefined) resolve();
        else {
          this.close();
          reject(error);
        }
      };
      if (timeoutMs !== null) {
        timer = setTimeout(
          () => settle(new ConnectTimeout(`No HTTP/2 SETTINGS from the server in ${timeoutMs} ms`)),
          timeoutMs,
        );
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#ready.then(() => settle(), settle);
    });
  }

  get #inUse(): number {
    return this.#exchanges.size + this.#reserved;
  }

  isMultiplexed(): boolean {
    return true;
  }
  isAvailable(): boolean {
    return !this.isClosed() && this.#inUse < this.#maxStreams;
  }
  isIdle(): boolean {
    return this.#inUse === 0;
  }
  hasExpired(now: number): boolean {
    const limit = this.#options.keepaliveDelay;
    return limit !== null && now - this.#idleSince >= limit;
  }
  isClosed(): boolean {
    return this.#closed || this.#draining || this.session.destroyed;
  }
  claim(): void {
    this.#reserved++;
    this.#busy();
  }
  describe(): ConnectionSummary {
    return {
      state: this.isClosed() ? "closed" : this.isIdle() ? "idle" : "active",
      protocol: "HTTP/2",
      served: this.#served,
      address: formatAddress(this.#baseInfo.destinationAddress),
      tlsVersion: this.#baseInfo.tlsVersion,
    };
  }
  /** Open streams and claimed slots, for tests and debugging. */
  get activeStreams(): number {
    return this.#inUse;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#clearTimers();
    this.#clearDeadline();
    this.session.destroy();
  }

  /** Sends one request on a new stream. Resolves when the final response head arrives. */
  request(request: TransportRequest, ctx: TransportContext): Promise<TransportResponse> {
    if (this.#reserved > 0) this.#reserved--;
    if (this.isClosed()) {
      this.#afterStream();
      const error = this.#draining
        ? new UnprocessedRequestError("The connection was shutting down (GOAWAY) before the request was sent")
        : new StaleConnectionError("Connection closed before the request was sent");
      return Promise.reject(error);
    }
    this.#busy();
    return new Promise<TransportResponse>((resolve, reject) => {
      const exchange = new H2Exchange(this, request, ctx, resolve, reject);
      this.#exchanges.add(exchange);
      let started: Promise<void> | undefined;
      try {
        started = exchange.start();
      } catch (error) {
        // As when start() was async: the failure lands after request() returned.
        queueMicrotask(() => exchange.abandon(error));
        return;
      }
      started?.catch((error: unknown) => exchange.abandon(error));
    });
  }

  // ExchangeHost
  info(requestSentLatency: number | null): ConnectionInfo {
    return { ...this.#baseInfo, reused: this.#served > 0, requestSentLatency };
  }
  mapError(error: unknown): unknown {
    return this.#mapError(error);
  }
  acceptsStreams(): boolean {
    return !this.isClosed();
  }
  scheduleDeadline(at: number): void {
    if (at >= this.#deadlineAt) return;
    if (this.#deadlineTimer) clearTimeout(this.#deadlineTimer);
    this.#deadlineAt = at;
    this.#deadlineTimer = setTimeout(
      () => this.#checkDeadlines(),
      Math.max(1, Math.ceil(at - performance.now())),
    );
    this.#deadlineTimer.unref();
  }

  /** One timer for every stream's read timeout: fail the late ones, wait for the next. */
  #checkDeadlines(): void {
    this.#deadlineTimer = null;
    this.#deadlineAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    for (const exchange of this.#exchanges) {
      exchange.checkDeadline(now);
      if (exchange.deadline < next) next = exchange.deadline;
    }
    if (next !== Number.POSITIVE_INFINITY) this.scheduleDeadline(next);
  }

  finished(exchange: H2Exchange): void {
    if (!this.#exchanges.delete(exchange)) return;
    this.#served++;
    this.#afterStream();
  }

  #afterStream(): void {
    if (this.#draining && this.#exchanges.size === 0) {
      this.close();
      return;
    }
    if (this.isIdle() && !this.isClosed()) this.#idle();
    this.#release();
  }

  /** Tells the pool a slot is free; a gone connection is reported once (the pool forgets it). */
  #release(): void {
    if (this.#releasedToPool) return;
    if (this.isClosed()) this.#releasedToPool = true;
    this.onRelease(this);
  }

  #onGoaway(code: number, lastStreamId: number): void {
    this.#goaway = { code, lastStreamId };
    this.#draining = true;
    for (const exchange of this.#exchanges) {
      const id = exchange.streamId;
      if (id === 0 || id > lastStreamId) exchange.unprocessed = true;
    }
    if (this.#exchanges.size === 0) this.close();
    this.#release();
  }

  connectionErrorFor(exchange: H2Exchange): unknown {
    const gone = this.#closed || this.session.destroyed;
    const fatalGoaway = this.#goaway !== null && this.#goaway.code !== NGHTTP2_NO_ERROR;
    if (!gone && !fatalGoaway) return null;
    return this.#closedError("before this response completed", exchange);
  }

  #onClose(): void {
    this.#closed = true;
    this.#clearTimers();
    this.#clearDeadline();
    this.#release();
  }

  #closedError(when: string, exchange?: H2Exchange): unknown {
    const goaway = this.#goaway;
    if (goaway && goaway.code !== NGHTTP2_NO_ERROR) {
      return new ConnectionError(
        `The server ended the HTTP/2 connection (GOAWAY error code ${goaway.code}, last stream ${goaway.lastStreamId}) ${when}`,
      );
    }
    if (this.#sessionError !== null) return this.#mapError(this.#sessionError);
    if (exchange && !exchange.responded && this.#served > 0 && goaway === null) {
      return new StaleConnectionError("The server closed the kept-alive HTTP/2 connection");
    }
    return new ConnectionError(`The HTTP/2 connection closed ${when}`);
  }

  #busy(): void {
    this.#clearTimers();
    // Once per busy spell, not per stream: ref() goes through node's socket proxy.
    if (!this.#refed && !this.session.destroyed) {
      this.#refed = true;
      this.session.ref();
    }
  }

  #idle(): void {
    this.#idleSince = Date.now();
    this.#clearTimers();
    this.#refed = false;
    this.session.unref();
    const { keepaliveDelay, keepaliveIdleWindow } = this.#options;
    if (keepaliveDelay !== null) {
      this.#expireTimer = setTimeout(() => this.#expire(), keepaliveDelay);
      this.#expireTimer.unref();
    }
    if (keepaliveIdleWindow !== null) this.#schedulePing(keepaliveIdleWindow);
  }

  #schedulePing(window: number): void {
    this.#pingTimer = setTimeout(() => {
      this.#pingTimer = null;
      if (!this.isIdle() || this.isClosed()) return;
      // No PING ack within a window (2 s at least): the peer is gone, drop the connection
      // before a request hits it.
      const deadline = setTimeout(() => this.#expire(), Math.max(window, PING_ACK_MIN_WAIT));
      deadline.unref();
      const sent = this.session.ping((error) => {
        clearTimeout(deadline);
        if (error) this.#expire();
        else if (this.isIdle() && !this.isClosed()) this.#schedulePing(window);
      });
      if (!sent) {
        clearTimeout(deadline);
        this.#expire();
      }
    }, window);
    this.#pingTimer.unref();
  }

  #expire(): void {
    if (!this.isIdle()) return;
    this.close();
    this.#release();
  }

  #clearDeadline(): void {
    if (this.#deadlineTimer) clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = null;
    this.#deadlineAt = Number.POSITIVE_INFINITY;
  }

  #clearTimers(): void {
    if (this.#pingTimer) clearTimeout(this.#pingTimer);
    if (this.#expireTimer) clearTimeout(this.#expireTimer);
    this.#pingTimer = null;
    this.#expireTimer = null;
  }
}
