/**
 * The default transport: pooled HTTP/1.1 connections over TCP and TLS. A request on a reused
 * connection that the server had already closed is retried once on a fresh connection when
 * replaying it is safe (idempotent method, replayable body).
 */
import type { TLSSocket } from "node:tls";
import { InvalidSchema, InvalidURL } from "../errors/errors.ts";
import { bareHost, connect } from "../net/connect.ts";
import { ConnectionPool } from "../pool/connection-pool.ts";
import { H1Connection, StaleConnectionError } from "../protocols/h1/connection.ts";
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
}

const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"]);
const ALPN = ["http/1.1"];

export class HttpTransport implements Transport {
  readonly #pool: ConnectionPool<H1Connection>;

  constructor(options: HttpTransportOptions = {}) {
    this.#pool = new ConnectionPool({
      maxPerOrigin: options.poolMaxsize ?? 10,
      maxOrigins: options.poolConnections ?? 10,
    });
  }

  async handle(request: TransportRequest, ctx: TransportContext): Promise<TransportResponse> {
    const url = request.url;
    const secure = url.protocol === "https:";
    if (!secure && url.protocol !== "http:") {
      throw new InvalidSchema(`No connection adapter for ${url.protocol}//`);
    }
    if (url.hostname === "") throw new InvalidURL(`No host in ${url.href}`);
    const key = secure ? `${url.host}|${tlsPolicyKey(ctx.tls)}` : url.host;
    const create = (): Promise<H1Connection> => this.#connect(url, secure, ctx, key, create);
    for (let attempt = 0; ; attempt++) {
      let conn: H1Connection;
      try {
        conn = await this.#pool.acquire(key, create, ctx.signal);
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

  /** A summary of the pools, for debugging. */
  describe(): ReturnType<ConnectionPool<H1Connection>["describe"]> {
    return this.#pool.describe();
  }

  async close(): Promise<void> {
    this.#pool.close();
  }

  async #connect(
    url: URL,
    secure: boolean,
    ctx: TransportContext,
    key: string,
    create: () => Promise<H1Connection>,
  ): Promise<H1Connection> {
    const port = url.port ? Number(url.port) : secure ? 443 : 80;
    const host = bareHost(url.hostname);
    const { socket, timings } = await connect({
      host,
      port,
      tls: secure ? resolveTlsSettings(ctx.tls, ALPN) : null,
      connectTimeout: ctx.connectTimeout,
      signal: ctx.signal,
    });
    const conn = new H1Connection(
      socket,
      timings,
      secure ? tlsInfo(socket as TLSSocket) : {},
      mapRequestError,
    );
    conn.onRelease = (c) => this.#pool.release(key, c, create);
    return conn;
  }
}

const mapRequestError = (error: unknown): unknown => mapError(error, "request");

/** A cancelled request rejects with the signal's own reason, untouched. */
function isAbortReason(error: unknown, ctx: TransportContext): boolean {
  return ctx.signal?.aborted === true && error === ctx.signal.reason;
}

function isReplayable(request: TransportRequest): boolean {
  if (!IDEMPOTENT.has(request.method)) return false;
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
