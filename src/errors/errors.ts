/**
 * The error tree. Every error niquests throws extends {@link RequestException} and carries a
 * stable `code`; message text is not API. Guards (`isTimeoutError(e)` …) narrow a
 * `catch` binding; `ConnectTimeout` is an instance of both `ConnectionError` and `Timeout`.
 */
import type { PreparedRequest } from "../models/prepared-request.ts";
import type { Response } from "../models/response.ts";

export interface RequestExceptionOptions {
  cause?: unknown;
  request?: PreparedRequest | null;
  response?: Response | null;
}

/** Base of every niquests error. */
export class RequestException extends Error {
  /** Stable machine-readable identifier, e.g. `ERR_CONNECT_TIMEOUT`. */
  readonly code: string = "ERR_REQUEST";
  /** The request being sent when this happened, when there was one. */
  request: PreparedRequest | null;
  /** The response that caused this error (HTTPError, TooManyRedirects …), when there was one. */
  response: Response | null;

  constructor(message: string, options: RequestExceptionOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.request = options.request ?? options.response?.request ?? null;
    this.response = options.response ?? null;
  }
}

export class ConnectionError extends RequestException {
  override readonly code: string = "ERR_CONNECTION";
}
export class ProxyError extends ConnectionError {
  override readonly code: string = "ERR_PROXY";
}
/** The failure classes of {@link SSLError}, one stable code each. */
export type SSLErrorCode =
  | "ERR_SSL"
  | "ERR_SSL_UNTRUSTED_ROOT"
  | "ERR_SSL_CERT_EXPIRED"
  | "ERR_SSL_CERT_NOT_YET_VALID"
  | "ERR_SSL_CERT_INVALID"
  | "ERR_SSL_HOSTNAME_MISMATCH"
  | "ERR_SSL_PIN_MISMATCH"
  | "ERR_SSL_HANDSHAKE"
  | "ERR_SSL_CLIENT_CERT_REQUIRED"
  | "ERR_SSL_CONFIG";

export interface SSLErrorOptions extends RequestExceptionOptions {
  /** Which TLS failure this is; default `ERR_SSL`. */
  code?: SSLErrorCode;
}

/**
 * A TLS failure. `code` tells the classes apart (untrusted root, expired, hostname mismatch …);
 * every one is also a {@link ConnectionError}.
 */
export class SSLError extends ConnectionError {
  override readonly code: SSLErrorCode;

  constructor(message: string, options: SSLErrorOptions = {}) {
    super(message, options);
    this.code = options.code ?? "ERR_SSL";
  }
}
export class Timeout extends RequestException {
  override readonly code: string = "ERR_TIMEOUT";
}
/** A connect timeout is both a connection failure and a timeout, as in Requests. */
export class ConnectTimeout extends ConnectionError {
  override readonly code: string = "ERR_CONNECT_TIMEOUT";
}
// `ConnectTimeout` extends `ConnectionError`, yet `instanceof Timeout` must hold for it too.
Object.defineProperty(Timeout, Symbol.hasInstance, {
  value(this: abstract new (...args: never[]) => unknown, value: unknown): boolean {
    return (
      Function.prototype[Symbol.hasInstance].call(this, value) ||
      (this === Timeout && value instanceof ConnectTimeout)
    );
  },
});
export class ReadTimeout extends Timeout {
  override readonly code: string = "ERR_READ_TIMEOUT";
}
export class HTTPError extends RequestException {
  override readonly code: string = "ERR_HTTP_STATUS";
}
export class TooManyRedirects extends RequestException {
  override readonly code: string = "ERR_TOO_MANY_REDIRECTS";
}
export class MissingSchema extends RequestException {
  override readonly code: string = "ERR_MISSING_SCHEMA";
}
export class InvalidSchema extends RequestException {
  override readonly code: string = "ERR_INVALID_SCHEMA";
}
export class InvalidURL extends RequestException {
  override readonly code: string = "ERR_INVALID_URL";
}
export class InvalidHeader extends RequestException {
  override readonly code: string = "ERR_INVALID_HEADER";
}
export class InvalidJSONError extends RequestException {
  override readonly code: string = "ERR_INVALID_JSON";
}
/** The body was not valid JSON. `doc` holds the text that failed to parse. */
export class JSONDecodeError extends InvalidJSONError {
  override readonly code: string = "ERR_JSON_DECODE";
  doc = "";
}
export class ChunkedEncodingError extends RequestException {
  override readonly code: string = "ERR_CHUNKED_ENCODING";
}
export class ContentDecodingError extends RequestException {
  override readonly code: string = "ERR_CONTENT_DECODING";
}
export class StreamConsumedError extends RequestException {
  override readonly code: string = "ERR_STREAM_CONSUMED";
}
/** `content`, `text` or `json()` was used on a `stream: true` response before `await r.load()`. */
export class BodyNotLoadedError extends RequestException {
  override readonly code: string = "ERR_BODY_NOT_LOADED";
}
/** A hook threw or rejected; `cause` is what it threw, `event` the hook event. */
export class HookError extends RequestException {
  override readonly code: string = "ERR_HOOK";
  event = "";
}
export class RetryError extends RequestException {
  override readonly code: string = "ERR_RETRY_EXHAUSTED";
}
export class UnrewindableBodyError extends RequestException {
  override readonly code: string = "ERR_UNREWINDABLE_BODY";
}
export class MultiplexingError extends RequestException {
  override readonly code: string = "ERR_MULTIPLEXING";
}
/** A cookies.txt text or file has a malformed line; `line` is its 1-based number. */
export class CookieFileError extends RequestException {
  override readonly code: string = "ERR_COOKIE_FILE";
  line = 0;
}
/** The server broke HTTP framing rules; the connection is discarded. */
export class ProtocolError extends ConnectionError {
  override readonly code: string = "ERR_PROTOCOL";
}

/** A guard that narrows `unknown` (a `catch` binding) to one error class. */
function guard<T extends RequestException>(cls: abstract new (...args: never[]) => T) {
  return (value: unknown): value is T => value instanceof cls;
}

export const isRequestException = guard(RequestException);
export const isConnectionError = guard(ConnectionError);
export const isProxyError = guard(ProxyError);
export const isSSLError = guard(SSLError);
export const isTimeoutError = guard(Timeout);
export const isConnectTimeoutError = guard(ConnectTimeout);
export const isReadTimeoutError = guard(ReadTimeout);
export const isHTTPError = guard(HTTPError);
export const isTooManyRedirectsError = guard(TooManyRedirects);
export const isInvalidURLError = guard(InvalidURL);
export const isInvalidHeaderError = guard(InvalidHeader);
export const isJSONDecodeError = guard(JSONDecodeError);
export const isChunkedEncodingError = guard(ChunkedEncodingError);
export const isContentDecodingError = guard(ContentDecodingError);
export const isStreamConsumedError = guard(StreamConsumedError);
export const isRetryError = guard(RetryError);
export const isHookError = guard(HookError);
export const isUnrewindableBodyError = guard(UnrewindableBodyError);
export const isMultiplexingError = guard(MultiplexingError);
export const isProtocolError = guard(ProtocolError);
export const isCookieFileError = guard(CookieFileError);
