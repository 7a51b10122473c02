/**
 * Which HTTP versions the transport speaks and how idle HTTP/2 connections are kept. Checked once
 * when the transport is built, so a bad value fails at `new Session()` rather than mid-request.
 */
import type { H2ConnectionOptions } from "../protocols/h2/connection.ts";

export interface ProtocolOptions {
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
