/**
 * The default transport: pooled HTTP/1.1 and HTTP/2 connections over TCP, TLS and Unix sockets.
 * TLS offers h2 and http/1.1 by ALPN (h2 preferred) and the negotiated protocol picks the
 * connection driver; `disableHttp1` on a cleartext URL means h2c with prior knowledge. A request
 * on a reused connection that the server had already closed is retried once on a fresh
 * connection when replaying it is safe (idempotent method, replayable body); one the server says
 * it never processed (HTTP/2 REFUSED_STREAM, GOAWAY) is replayed for any method with a
 * replayable body.
 */
import type { TLSSocket } from "node:tls";
import {
  connectionClosedChannel,
  connectionConnectedChannel,
  requestEndChannel,
  requestErrorChannel,
  requestHeadersChannel,
  requestStartChannel,
} from "../diagnostics/channels.ts";
import { ConnectionError, InvalidSchema, InvalidURL } from "../errors/errors.ts";
import { bareHost, connect } from "../net/connect.ts";
import type { LookupFunction } from "../net/happy-eyeballs.ts";
import {
  checkTlsConfiguration,
  resolveTlsSettings,
  type TlsConfiguration,
  tlsPolicyKey,
} from "../net/tls-config.ts";
import { tlsInfo } from "../net/tls-info.ts";
import { ConnectionPool, type OriginSummary } from "../pool/connection-pool.ts";
import { H1Connection, StaleConnectionError } from "../protocols/h1/connection.ts";
import { H2Connection } from "../protocols/h2/connection.ts";
import { UnprocessedRequestError } from "../protocols/h2/unprocessed-request-error.ts";
import { mapError } from "./map-errors.ts";
import { type NetworkOptions, resolveNetworkOptions } from "./network-options.ts";
import { observeBody } from "./observe-body.ts";
import {
  type ProtocolOptions,
  type ResolvedProtocolOptions,
  resolveProtocolOptions,
} from "./protocol-options.ts";
import type { Transport, TransportContext, TransportRequest, TransportResponse } from "./transport.ts";

export type { NetworkOptions } from "./network-options.ts";
export type { ProtocolOptions } from "./protocol-options.ts";

export interface HttpTransportOptions extends NetworkOptions, ProtocolOptions {
  /** How many origins keep pooled connections (LRU beyond that). Default 10. */
  poolConnections?: number;
  /** Connections per origin at most; further requests wait for a free one. Default 10. */
  poolMaxsize?: number;
  /** TLS versions and ciphers for every connection. */
  tlsConfiguration?: TlsConfiguration | null;
  /** Resolver for happy eyeballs: `(host) => Promise<[{address, family}]>`. Default: the system's. */
  lookup?: LookupFunction | null;
}

const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"]);
/** Replays of a request the server said it never processed, at most. */
const MAX_UNPROCESSED_REPLAYS = 3;

type Connection = H1Connection | H2Connection;

/** Where one pooled origin's connections go, and how they speak. */
interface Target {
  key: string;
  /** The `:authority` origin HTTP/2 sessions are opened for. */
  origin: string;
  host: string;
  port: number;
  secure: boolean;
  socketPath: string | null;
  /** Cleartext HTTP/2 with prior knowledge (HTTP/1.1 disabled). */
  h2c: boolean;
  /** The pool may wait for a handshake in flight: the origin will likely multiplex. */
  expectMultiplexed: boolean;
}

export class HttpTransport implements Transport {
  readonly #pool: ConnectionPool<Connection>;
  readonly #tlsConfig: TlsConfiguration;
  readonly #tlsConfigKey: string;
  readonly #network: ReturnType<typeof resolveNetworkOptions>;
  readonly #protocols: ResolvedProtocolOptions;
  readonly #lookup: LookupFunction | null;

  constructor(options: HttpTransportOptions = {}) {
    this.#tlsConfig = checkTlsConfiguration(options.tlsConfiguration);
    this.#tlsConfigKey = JSON.stringify(this.#tlsConfig);
    this.#network = resolveNetworkOptions(options);
    this.#protocols = resolveProtocolOptions(options);
    this.#lookup = options.lookup ?? null;
    const maxPerOrigin = options.poolMaxsize ?? 10;
    this.#pool = new ConnectionPool({
      maxPerOrigin,
      maxOrigins: options.poolConnections ?? 10,
      maxMultiplexedPerOrigin: this.#protocols.multiplexed ? 1 : maxPerOrigin,
    });
  }

  handle(request: TransportRequest, ctx: TransportContext): Promise<TransportResponse> {
    // Nobody listens (the usual case): no wrapping async frame. A subscriber that arrives while
    // this request is in flight sees the next requests, as it would miss this one's start.
    if (
      !requestStartChannel.hasSubscribers &&
      !requestHeadersChannel.hasSubscribers &&
      !requestErrorChannel.hasSubscribers &&
      !requestEndChannel.hasSubscribers
    ) {
      return this.#handle(request, ctx);
    }
    return this.#observed(request, ctx);
  }

  async #observed(request: TransportRequest, ctx: TransportContext): Promise<TransportResponse> {
    if (requestStartChannel.hasSubscribers) requestStartChannel.publish({ request });
    try {
      const response = await this.#handle(request, ctx);
      if (requestHeadersChannel.hasSubscribers) {
        requestHeadersChannel.publish({ request, response: summary(response), connInfo: response.connInfo });
      }
      return observeBody(request, response);
    } catch (error) {
      if (requestErrorChannel.hasSubscribers) requestErrorChannel.publish({ request, error });
      throw error;
    }
  }

  async #handle(request: TransportRequest, ctx: TransportContext): Promise<TransportResponse> {
    const target = this.#target(request.url, ctx);
    const create = (): Promise<Connection> => this.#connect(target, ctx, create);
    let unprocessedReplays = 0;
    for (let attempt = 0; ; attempt++) {
      let conn = this.#pool.take(target.key, ctx.signal);
      if (conn === null) {
        try {
          conn = await this.#pool.acquire(target.key, create, ctx.signal, target.expectMultiplexed);
        } catch (error) {
          throw isAbortReason(error, ctx) ? error : mapError(error, "connect");
        }
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

  #target(url: URL, ctx: TransportContext): Target {
    const { http1, http2 } = this.#protocols;
    const protocol = url.protocol;
    const secure = protocol === "https:";
    // Cleartext has no ALPN: h2c with prior knowledge when HTTP/1.1 is off, else HTTP/1.1.
    const h2c = !secure && !http1;
    if (!http1 && !http2) {
      throw new InvalidSchema(
        `No HTTP version is left for ${protocol}// (HTTP/1.1 and HTTP/2 are disabled${secure ? "" : "; HTTP/3 needs https"})`,
      );
    }
    const expectMultiplexed = secure ? http2 : h2c;
    if (protocol === "http+unix:") {
      if (url.hostname === "") throw new InvalidURL(`No socket path in ${url.href}`);
      const socketPath = decodeURIComponent(url.hostname);
      return {
        key: `http+unix://${socketPath}`,
        origin: "http://localhost",
        host: "localhost",
        port: 0,
        secure: false,
        socketPath,
        h2c,
        expectMultiplexed,
      };
    }
    if (!secure && protocol !== "http:") throw new InvalidSchema(`No connection adapter for ${protocol}//`);
    if (url.hostname === "") throw new InvalidURL(`No host in ${url.href}`);
    const key = secure ? `https://${url.host} (${tlsPolicyKey(ctx.tls)})` : `http://${url.host}`;
    const port = url.port ? Number(url.port) : secure ? 443 : 80;
    return {
      key,
      origin: url.origin,
      host: bareHost(url.hostname),
      port,
      secure,
      socketPath: null,
      h2c,
      expectMultiplexed,
    };
  }

  /** The pools, per origin (and TLS policy), with each connection's state. */
  describe(): OriginSummary[] {
    return this.#pool.describe();
  }

  /** A readable summary of the pools, one line per origin and per connection. */
  toString(): string {
    const origins = this.describe();
    if (origins.length === 0) return "<HttpTransport: no pooled connections>";
    const lines = ["<HttpTransport>"];
    for (const o of origins) {
      lines.push(
        `  ${o.origin}: ${o.connections} connection(s), ${o.idle} idle, ${o.connecting} connecting, ${o.waiting} waiting`,
      );
      for (const [i, c] of o.details.entries()) {
        const tls = c.tlsVersion ? ` ${c.tlsVersion}` : "";
        lines.push(`    #${i + 1} ${c.state} ${c.protocol}${tls} ${c.address ?? "unix"} served=${c.served}`);
      }
    }
    return lines.join("\n");
  }

  async close(): Promise<void> {
    this.#pool.close();
  }

  async #connect(
    target: Target,
    ctx: TransportContext,
    create: () => Promise<Connection>,
  ): Promise<Connection> {
    const net = this.#network;
    const started = performance.now();
    const { socket, timings } = await connect({
      host: target.host,
      port: target.port,
      socketPath: target.socketPath,
      tls: target.secure
        ? resolveTlsSettings(ctx.tls, this.#tlsConfig, this.#tlsConfigKey, this.#protocols.alpn)
        : null,
      connectTimeout: ctx.connectTimeout,
      signal: ctx.signal,
      happyEyeballs: net.happyEyeballs,
      lookup: this.#lookup,
      disableIpv4: net.disableIpv4,
      disableIpv6: net.disableIpv6,
      ...(net.localAddress !== undefined ? { localAddress: net.localAddress } : {}),
      ...(net.localPort !== undefined ? { localPort: net.localPort } : {}),
    });
    const info = target.secure ? tlsInfo(socket as TLSSocket) : {};
    const negotiated = target.secure ? (socket as TLSSocket).alpnProtocol : target.h2c ? "h2" : "http/1.1";
    let conn: Connection;
    if (negotiated === "h2") {
      const h2 = new H2Connection(socket, target.origin, timings, info, mapRequestError, this.#protocols.h2);
      // SETTINGS come right after the handshake; they count against the connect timeout.
      const left =
        ctx.connectTimeout === null ? null : Math.max(1, ctx.connectTimeout - (performance.now() - started));
      await h2.ready(left, ctx.signal);
      h2.onRelease = (c) => this.#pool.release(target.key, c, create);
      conn = h2;
    } else if (!this.#protocols.http1) {
      socket.destroy();
      throw new ConnectionError(`${target.host} did not agree to HTTP/2 over ALPN, and HTTP/1.1 is disabled`);
    } else {
      const h1 = new H1Connection(socket, timings, info, mapRequestError);
      h1.onRelease = (c) => this.#pool.release(target.key, c, create);
      conn = h1;
    }
    if (connectionConnectedChannel.hasSubscribers) {
      connectionConnectedChannel.publish({ origin: target.key, connection: conn.describe(), timings });
    }
    socket.once("close", () => {
      if (connectionClosedChannel.hasSubscribers) {
        connectionClosedChannel.publish({ origin: target.key, connection: conn.describe() });
      }
    });
    return conn;
  }
}

const mapRequestError = (error: unknown): unknown => mapError(error, "request");

function summary(
  response: TransportResponse,
): Pick<TransportResponse, "status" | "reason" | "httpVersion" | "headers"> {
  return {
    status: response.status,
    reason: response.reason,
    httpVersion: response.httpVersion,
    headers: response.headers,
  };
}

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
