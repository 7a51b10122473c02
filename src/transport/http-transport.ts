/**
 * The default transport: pooled HTTP/1.1 connections over TCP, TLS and Unix sockets. A request
 * on a reused connection that the server had already closed is retried once on a fresh
 * connection when replaying it is safe (idempotent method, replayable body).
 */
import type { TLSSocket } from "node:tls";
import {
  connectionClosedChannel,
  connectionConnectedChannel,
  requestErrorChannel,
  requestHeadersChannel,
  requestStartChannel,
} from "../diagnostics/channels.ts";
import { InvalidSchema, InvalidURL } from "../errors/errors.ts";
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
import { mapError } from "./map-errors.ts";
import { type NetworkOptions, resolveNetworkOptions } from "./network-options.ts";
import { observeBody } from "./observe-body.ts";
import type { Transport, TransportContext, TransportRequest, TransportResponse } from "./transport.ts";

export type { NetworkOptions } from "./network-options.ts";

export interface HttpTransportOptions extends NetworkOptions {
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
const ALPN = ["http/1.1"];

/** Where one pooled origin's connections go. */
interface Target {
  key: string;
  host: string;
  port: number;
  secure: boolean;
  socketPath: string | null;
}

export class HttpTransport implements Transport {
  readonly #pool: ConnectionPool<H1Connection>;
  readonly #tlsConfig: TlsConfiguration;
  readonly #tlsConfigKey: string;
  readonly #network: ReturnType<typeof resolveNetworkOptions>;
  readonly #lookup: LookupFunction | null;

  constructor(options: HttpTransportOptions = {}) {
    this.#tlsConfig = checkTlsConfiguration(options.tlsConfiguration);
    this.#tlsConfigKey = JSON.stringify(this.#tlsConfig);
    this.#network = resolveNetworkOptions(options);
    this.#lookup = options.lookup ?? null;
    this.#pool = new ConnectionPool({
      maxPerOrigin: options.poolMaxsize ?? 10,
      maxOrigins: options.poolConnections ?? 10,
    });
  }

  async handle(request: TransportRequest, ctx: TransportContext): Promise<TransportResponse> {
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
    const create = (): Promise<H1Connection> => this.#connect(target, ctx, create);
    for (let attempt = 0; ; attempt++) {
      let conn: H1Connection;
      try {
        conn = await this.#pool.acquire(target.key, create, ctx.signal);
      } catch (error) {
        throw isAbortReason(error, ctx) ? error : mapError(error, "connect");
      }
      try {
        return await conn.request(request, ctx);
      } catch (error) {
        if (error instanceof StaleConnectionError && attempt === 0 && isReplayable(request)) continue;
        throw isAbortReason(error, ctx) ? error : mapError(error, "request");
      }
    }
  }

  #target(url: URL, ctx: TransportContext): Target {
    const protocol = url.protocol;
    if (protocol === "http+unix:") {
      if (url.hostname === "") throw new InvalidURL(`No socket path in ${url.href}`);
      const socketPath = decodeURIComponent(url.hostname);
      return { key: `http+unix://${socketPath}`, host: "localhost", port: 0, secure: false, socketPath };
    }
    const secure = protocol === "https:";
    if (!secure && protocol !== "http:") throw new InvalidSchema(`No connection adapter for ${protocol}//`);
    if (url.hostname === "") throw new InvalidURL(`No host in ${url.href}`);
    const key = secure ? `https://${url.host} (${tlsPolicyKey(ctx.tls)})` : `http://${url.host}`;
    const port = url.port ? Number(url.port) : secure ? 443 : 80;
    return { key, host: bareHost(url.hostname), port, secure, socketPath: null };
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
    create: () => Promise<H1Connection>,
  ): Promise<H1Connection> {
    const net = this.#network;
    const { socket, timings } = await connect({
      host: target.host,
      port: target.port,
      socketPath: target.socketPath,
      tls: target.secure ? resolveTlsSettings(ctx.tls, this.#tlsConfig, this.#tlsConfigKey, ALPN) : null,
      connectTimeout: ctx.connectTimeout,
      signal: ctx.signal,
      happyEyeballs: net.happyEyeballs,
      lookup: this.#lookup,
      disableIpv4: net.disableIpv4,
      disableIpv6: net.disableIpv6,
      ...(net.localAddress !== undefined ? { localAddress: net.localAddress } : {}),
      ...(net.localPort !== undefined ? { localPort: net.localPort } : {}),
    });
    const conn = new H1Connection(
      socket,
      timings,
      target.secure ? tlsInfo(socket as TLSSocket) : {},
      mapRequestError,
    );
    conn.onRelease = (c) => this.#pool.release(target.key, c, create);
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
  if (!IDEMPOTENT.has(request.method)) return false;
  const body = request.body;
  return body === null || body instanceof Uint8Array || body.rewindable;
}
