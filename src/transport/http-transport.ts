/**
 * The default transport: pooled HTTP/1.1 and HTTP/2 connections over TCP and TLS. TLS offers h2
 * and http/1.1 by ALPN (h2 preferred) and the negotiated protocol picks the connection driver;
 * `disableHttp1` on http:// means h2c with prior knowledge. A request on a reused connection
 * that the server had already closed is retried once on a fresh connection when replaying it is
 * safe (idempotent method, replayable body); one the server says it never processed (HTTP/2
 * REFUSED_STREAM, GOAWAY) is replayed for any method with a replayable body.
 */
import type { TLSSocket } from "node:tls";
import { ConnectionError, InvalidSchema, InvalidURL } from "../errors/errors.ts";
import { bareHost, connect } from "../net/connect.ts";
import { ConnectionPool } from "../pool/connection-pool.ts";
import { H1Connection, StaleConnectionError } from "../protocols/h1/connection.ts";
import { H2Connection, type H2ConnectionOptions } from "../protocols/h2/connection.ts";
import { UnprocessedRequestError } from "../protocols/h2/unprocessed-request-error.ts";
import { mapError } from "./map-errors.ts";
import { resolveTlsSettings, tlsPolicyKey } from "./tls-settings.ts";
import type {
  ConnectionInfo,
  Transport,
  TransportContext,
  TransportRequest,
  TransportResponse,
} from "./transport.ts";

export interface HttpTransportOptions {
  /** How many origins keep pooled connections (LRU beyond that). Default 10. */
  poolConnections?: number;
  /** Connections per origin at most; further requests wait for a free one. Default 10. */
  poolMaxsize?: number;
  /** One connection per multiplexed (h2) origin, never a second one: requests queue for streams. */
  multiplexed?: boolean;
  disableHttp1?: boolean;
  disableHttp2?: boolean;
  /** Accepted for the API; HTTP/3 does not exist in this transport yet. */
  disableHttp3?: boolean;
  /** Idle HTTP/2 connections close after this many ms (default 3 600 000); null keeps them. */
  keepaliveDelay?: number | null;
  /** Idle HTTP/2 connections send a PING every this many ms (default 60 000); null: never. */
  keepaliveIdleWindow?: number | null;
}

const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"]);
/** Replays of a request the server said it never processed, at most. */
const MAX_UNPROCESSED_REPLAYS = 3;

type Connection = H1Connection | H2Connection;

export class HttpTransport implements Transport {
  readonly #pool: ConnectionPool<Connection>;
  readonly #http1: boolean;
  readonly #http2: boolean;
  readonly #alpn: string[];
  readonly #h2Options: H2ConnectionOptions;

  constructor(options: HttpTransportOptions = {}) {
    this.#http1 = options.disableHttp1 !== true;
    this.#http2 = options.disableHttp2 !== true;
    if (!this.#http1 && !this.#http2 && options.disableHttp3 === true) {
      throw new TypeError(
        "disableHttp1, disableHttp2 and disableHttp3 together leave no HTTP version to use",
      );
    }
    this.#alpn = [...(this.#http2 ? ["h2"] : []), ...(this.#http1 ? ["http/1.1"] : [])];
    for (const name of ["keepaliveDelay", "keepaliveIdleWindow"] as const) {
      const value = options[name];
      if (value !== undefined && value !== null && !(Number.isFinite(value) && value > 0)) {
        throw new TypeError(
          `${name} must be a positive number of milliseconds or null, got ${String(value)}`,
        );
      }
    }
    this.#h2Options = {
      keepaliveDelay: options.keepaliveDelay === undefined ? 3_600_000 : options.keepaliveDelay,
      keepaliveIdleWindow: options.keepaliveIdleWindow === undefined ? 60_000 : options.keepaliveIdleWindow,
    };
    const maxPerOrigin = options.poolMaxsize ?? 10;
    this.#pool = new ConnectionPool({
      maxPerOrigin,
      maxOrigins: options.poolConnections ?? 10,
      maxMultiplexedPerOrigin: options.multiplexed === true ? 1 : maxPerOrigin,
    });
  }

  async handle(request: TransportRequest, ctx: TransportContext): Promise<TransportResponse> {
    const url = request.url;
    const secure = url.protocol === "https:";
    if (!secure && url.protocol !== "http:") {
      throw new InvalidSchema(`No connection adapter for ${url.protocol}//`);
    }
    if (url.hostname === "") throw new InvalidURL(`No host in ${url.href}`);
    // Cleartext has no ALPN: h2c with prior knowledge when HTTP/1.1 is off, else HTTP/1.1.
    const h2c = !secure && !this.#http1;
    if (!secure && !this.#http1 && !this.#http2) {
      throw new InvalidSchema(
        `No HTTP version is left for ${url.protocol}// (HTTP/1.1 and HTTP/2 are disabled; HTTP/3 needs https)`,
      );
    }
    if (secure && this.#alpn.length === 0) {
      throw new InvalidSchema("No HTTP version is left for https:// (HTTP/1.1 and HTTP/2 are disabled)");
    }
    const key = secure ? `${url.host}|${tlsPolicyKey(ctx.tls)}` : url.host;
    const expectMultiplexed = secure ? this.#http2 : h2c;
    const create = (): Promise<Connection> => this.#connect(url, secure, h2c, ctx, key, create);
    let unprocessedReplays = 0;
    for (let attempt = 0; ; attempt++) {
      let conn: Connection;
      try {
        conn = await this.#pool.acquire(key, create, ctx.signal, expectMultiplexed);
      } catch (error) {
        throw isAbortReason(error, ctx) ? error : mapError(error, "connect");
      }
      try {
        return await conn.request(request, ctx);
      } catch (error) {
        if (error instanceof StaleConnectionError && attempt === 0 && isReplayable(request)) continue;
        if (
          error instanceof UnprocessedRequestError &&
          unprocessedReplays++ < MAX_UNPROCESSED_REPLAYS &&
          isRewindable(request)
        ) {
          continue;
        }
        throw isAbortReason(error, ctx) ? error : mapError(error, "request");
      }
    }
  }

  /** A summary of the pools, for debugging. */
  describe(): ReturnType<ConnectionPool<Connection>["describe"]> {
    return this.#pool.describe();
  }

  async close(): Promise<void> {
    this.#pool.close();
  }

  async #connect(
    url: URL,
    secure: boolean,
    h2c: boolean,
    ctx: TransportContext,
    key: string,
    create: () => Promise<Connection>,
  ): Promise<Connection> {
    const port = url.port ? Number(url.port) : secure ? 443 : 80;
    const host = bareHost(url.hostname);
    const started = performance.now();
    const { socket, timings } = await connect({
      host,
      port,
      tls: secure ? resolveTlsSettings(ctx.tls, this.#alpn) : null,
      connectTimeout: ctx.connectTimeout,
      signal: ctx.signal,
    });
    const info = secure ? tlsInfo(socket as TLSSocket) : {};
    const negotiated = secure ? (socket as TLSSocket).alpnProtocol : h2c ? "h2" : "http/1.1";
    if (negotiated === "h2") {
      const conn = new H2Connection(socket, url.origin, timings, info, mapRequestError, this.#h2Options);
      // SETTINGS come right after the handshake; they count against the connect timeout.
      const left =
        ctx.connectTimeout === null ? null : Math.max(1, ctx.connectTimeout - (performance.now() - started));
      await conn.ready(left, ctx.signal);
      conn.onRelease = (c) => this.#pool.release(key, c, create);
      return conn;
    }
    if (!this.#http1) {
      socket.destroy();
      throw new ConnectionError(`${url.host} did not agree to HTTP/2 over ALPN, and HTTP/1.1 is disabled`);
    }
    const conn = new H1Connection(socket, timings, info, mapRequestError);
    conn.onRelease = (c) => this.#pool.release(key, c as H1Connection, create);
    return conn;
  }
}

const mapRequestError = (error: unknown): unknown => mapError(error, "request");

/** A cancelled request rejects with the signal's own reason, untouched. */
function isAbortReason(error: unknown, ctx: TransportContext): boolean {
  return ctx.signal?.aborted === true && error === ctx.signal.reason;
}

function isReplayable(request: TransportRequest): boolean {
  return IDEMPOTENT.has(request.method) && isRewindable(request);
}

function isRewindable(request: TransportRequest): boolean {
  const body = request.body;
  return body === null || body instanceof Uint8Array || body.rewindable;
}

function tlsInfo(socket: TLSSocket): Partial<ConnectionInfo> {
  const peer = socket.getPeerCertificate(true);
  const hasPeer = peer && Object.keys(peer).length > 0;
  const issuer =
    hasPeer && peer.issuerCertificate && peer.issuerCertificate !== peer ? peer.issuerCertificate : null;
  return {
    tlsVersion: socket.getProtocol(),
    cipher: socket.getCipher()?.name ?? null,
    certificateDer: hasPeer ? new Uint8Array(peer.raw) : null,
    certificateDict: hasPeer
      ? {
          subject: peer.subject,
          issuer: peer.issuer,
          subjectAltName: peer.subjectaltname ?? null,
          validFrom: peer.valid_from,
          validTo: peer.valid_to,
          serialNumber: peer.serialNumber,
          fingerprint256: peer.fingerprint256,
        }
      : null,
    issuerCertificateDer: issuer ? new Uint8Array(issuer.raw) : null,
  };
}
