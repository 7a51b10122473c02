/**
 * The one place where Node and OpenSSL errors become niquests errors. Everything below the
 * transport seam throws whatever Node gives it; the transport passes each failure through here.
 */
import {
  ConnectionError,
  ConnectTimeout,
  ProtocolError,
  ReadTimeout,
  RequestException,
  SSLError,
} from "../errors/errors.ts";

const CONNECT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "ENOENT", // Unix socket path missing
  "EACCES",
]);

const RESET_CODES = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED", "ERR_STREAM_DESTROYED"]);

/** Errors raised while connecting: nothing of the request reached the server. */
const connectFailures = new WeakSet<object>();

/** True for a failure to connect, which is always safe to retry. */
export function isConnectFailure(error: unknown): boolean {
  return typeof error === "object" && error !== null && connectFailures.has(error);
}

/** Maps a failure to the error tree. Our own errors and abort reasons pass through unchanged. */
export function mapError(error: unknown, phase: "connect" | "request"): unknown {
  const mapped = map(error, phase);
  if (phase === "connect" && mapped instanceof ConnectionError) connectFailures.add(mapped);
  return mapped;
}

function map(error: unknown, phase: "connect" | "request"): unknown {
  if (error instanceof RequestException) return error;
  if (!(error instanceof Error)) return error;
  if (error.name === "AbortError" || error.name === "TimeoutError") return error;
  const code = (error as NodeJS.ErrnoException).code ?? "";
  if (code === "ETIMEDOUT") {
    return phase === "connect"
      ? new ConnectTimeout(error.message, { cause: error })
      : new ReadTimeout(error.message, { cause: error });
  }
  if (isTlsError(code, error)) return new SSLError(error.message, { cause: error });
  // nghttp2 rejected what the peer sent (bad frames, a peer that is not speaking HTTP/2).
  if (code === "ERR_HTTP2_ERROR" || (code.startsWith("ERR_HTTP2_") && /PROTOCOL_ERROR/.test(error.message))) {
    return new ProtocolError(error.message, { cause: error });
  }
  if (CONNECT_CODES.has(code) || RESET_CODES.has(code))
    return new ConnectionError(error.message, { cause: error });
  return new ConnectionError(error.message, { cause: error });
}

function isTlsError(code: string, error: Error): boolean {
  return (
    code.startsWith("ERR_SSL") ||
    code.startsWith("ERR_TLS") ||
    code.includes("CERT") ||
    code === "DEPTH_ZERO_SELF_SIGNED_CERT" ||
    code === "SELF_SIGNED_CERT_IN_CHAIN" ||
    code === "UNABLE_TO_VERIFY_LEAF_SIGNATURE" ||
    code === "UNABLE_TO_GET_ISSUER_CERT_LOCALLY" ||
    /SSL routines|alert/i.test(error.message)
  );
}
