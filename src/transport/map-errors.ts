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
  type SSLErrorCode,
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
  if (isTlsError(code, error)) return new SSLError(error.message, { cause: error, code: sslCode(code) });
  // nghttp2 rejected what the peer sent (bad frames, a peer that is not speaking HTTP/2).
  if (code === "ERR_HTTP2_ERROR" || (code.startsWith("ERR_HTTP2_") && /PROTOCOL_ERROR/.test(error.message))) {
    return new ProtocolError(error.message, { cause: error });
  }
  if (CONNECT_CODES.has(code) || RESET_CODES.has(code))
    return new ConnectionError(error.message, { cause: error });
  return new ConnectionError(error.message, { cause: error });
}

/** OpenSSL's X509_V_ERR_* names as Node reports them (`err.code`). */
const VERIFY_CODE =
  /^(CERT_|CRL_|UNABLE_TO_|INVALID_|PATH_LENGTH|ERROR_IN_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_|IP_ADDRESS_)/;

function isTlsError(code: string, error: Error): boolean {
  return (
    code.startsWith("ERR_SSL") ||
    code.startsWith("ERR_TLS") ||
    VERIFY_CODE.test(code) ||
    /SSL routines|alert/i.test(error.message)
  );
}

/** OpenSSL verification results (and Node's own codes) by failure class. */
const SSL_CODES: Record<string, SSLErrorCode> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "ERR_SSL_UNTRUSTED_ROOT",
  UNABLE_TO_GET_ISSUER_CERT: "ERR_SSL_UNTRUSTED_ROOT",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "ERR_SSL_UNTRUSTED_ROOT",
  SELF_SIGNED_CERT_IN_CHAIN: "ERR_SSL_UNTRUSTED_ROOT",
  DEPTH_ZERO_SELF_SIGNED_CERT: "ERR_SSL_UNTRUSTED_ROOT",
  CERT_UNTRUSTED: "ERR_SSL_UNTRUSTED_ROOT",
  CERT_HAS_EXPIRED: "ERR_SSL_CERT_EXPIRED",
  CERT_NOT_YET_VALID: "ERR_SSL_CERT_NOT_YET_VALID",
  ERR_TLS_CERT_ALTNAME_INVALID: "ERR_SSL_HOSTNAME_MISMATCH",
  HOSTNAME_MISMATCH: "ERR_SSL_HOSTNAME_MISMATCH",
  IP_ADDRESS_MISMATCH: "ERR_SSL_HOSTNAME_MISMATCH",
  // TLS 1.3 servers say so with alert 116 (RFC 8446 §4.4.2.4).
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: "ERR_SSL_CLIENT_CERT_REQUIRED",
};

/** Other certificate verification failures (revoked, wrong purpose, bad signature …). */
const CERT_INVALID = /^(CERT_|CRL_|INVALID_|PATH_LENGTH|ERROR_IN_|UNABLE_TO_)/;

function sslCode(code: string): SSLErrorCode {
  const known = SSL_CODES[code];
  if (known) return known;
  return CERT_INVALID.test(code) ? "ERR_SSL_CERT_INVALID" : "ERR_SSL_HANDSHAKE";
}
