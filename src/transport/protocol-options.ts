/**
 * Which HTTP versions the transport speaks and how idle HTTP/2 connections are kept. Checked once
 * when the transport is built, so a bad value fails at `new Session()` rather than mid-request.
 */
import type { H2ConnectionOptions } from "../protocols/h2/connection.ts";

export interface ProtocolOptions {
  /**
   * One multiplexed (HTTP/2) connection per origin, never a second: concurrent requests share
   * its streams and queue when it is full. Pairs with `Session.gather()`. Default false: a
   * second connection opens only when the first is saturated.
   */
  multiplexed?: boolean;
  /** Never speak HTTP/1.1. On http:// URLs this means h2c with prior knowledge. */
  disableHttp1?: boolean;
  /** Never speak HTTP/2 (ALPN offers only http/1.1). */
  disableHttp2?: boolean;
  /** Accepted for compatibility; HTTP/3 is not implemented yet, so this changes nothing. */
  disableHttp3?: boolean;
  /** Idle HTTP/2 connections are closed after this many ms (default 3 600 000); null keeps them. */
  keepaliveDelay?: number | null;
  /** Idle HTTP/2 connections PING the server every this many ms (default 60 000); null: never. */
  keepaliveIdleWindow?: number | null;
}

export interface ResolvedProtocolOptions {
  http1: boolean;
  http2: boolean;
  multiplexed: boolean;
  /** What TLS offers by ALPN, h2 first. */
  alpn: string[];
  h2: H2ConnectionOptions;
}

export function resolveProtocolOptions(options: ProtocolOptions): ResolvedProtocolOptions {
  const http1 = options.disableHttp1 !== true;
  const http2 = options.disableHttp2 !== true;
  if (!http1 && !http2 && options.disableHttp3 === true) {
    throw new TypeError("disableHttp1, disableHttp2 and disableHttp3 together leave no HTTP version to use");
  }
  for (const name of ["keepaliveDelay", "keepaliveIdleWindow"] as const) {
    const value = options[name];
    if (value !== undefined && value !== null && !(Number.isFinite(value) && value > 0)) {
      throw new TypeError(`${name} must be a positive number of milliseconds or null, got ${String(value)}`);
    }
  }
  return {
    http1,
    http2,
    multiplexed: options.multiplexed === true,
    alpn: [...(http2 ? ["h2"] : []), ...(http1 ? ["http/1.1"] : [])],
    h2: {
      keepaliveDelay: options.keepaliveDelay === undefined ? 3_600_000 : options.keepaliveDelay,
      keepaliveIdleWindow: options.keepaliveIdleWindow === undefined ? 60_000 : options.keepaliveIdleWindow,
    },
  };
}
