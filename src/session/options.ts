/**
 * Option types for sessions and single requests. Unknown keys are a TypeError (a typo must not
 * be silently ignored); options the API reserves for later protocol work say so.
 */
import type { AuthInput } from "../auth/auth-base.ts";
import type { CookieJar } from "../cookies/cookie-jar.ts";
import type { Hooks } from "../hooks/hooks.ts";
import type { CaseInsensitiveDict } from "../models/case-insensitive-dict.ts";
import type { TlsConfiguration } from "../net/tls-config.ts";
import type { RetryInput } from "../retry/retry-configuration.ts";
import type { NetworkOptions } from "../transport/network-options.ts";
import type { ProtocolOptions } from "../transport/protocol-options.ts";
import type { DataInput, FilesInput } from "./encode-body.ts";
import type { ParamsInput } from "./encode-params.ts";
import type { TimeoutInput } from "./timeouts.ts";

/** Header values: a `null` value removes a header the session would otherwise send. */
export type HeadersInput =
  | Record<string, string | number | null | undefined>
  | Array<[string, string]>
  | Headers
  | CaseInsensitiveDict;

/**
 * Computes trailer fields once the request body has been handed to the connection: the place
 * for a checksum of a streamed body. Called again each time the body is replayed (redirects,
 * retries), so it should describe the bytes of the latest send.
 */
export type TrailersFunction = () => HeadersInput | Promise<HeadersInput>;

/** Trailer fields sent after the request body: fields known up front, or a function for them. */
export type TrailersInput = HeadersInput | TrailersFunction;

export type CertInput = string | [string, string] | [string, string, string];

/** Options for one request; most have a Session default. */
export interface RequestOptions {
  params?: ParamsInput | null;
  data?: DataInput | null;
  json?: unknown;
  files?: FilesInput | null;
  headers?: HeadersInput | null;
  /**
   * Trailer fields sent after the body. Fields given up front are announced in a `Trailer`
   * header; a function is called once the body has been sent (again on every replay), so it can
   * hold a checksum of a streamed body. Over HTTP/1.1 the body then goes chunked, even when its
   * length is known; over HTTP/2 the fields follow in a final HEADERS frame. Names and values
   * are checked like headers, and fields a trailer must not carry (RFC 9110 §6.5.1: framing,
   * routing, authentication, cookies, Content-Type …) are an `InvalidHeader` before anything is
   * sent; an invalid answer of the function fails the request with `InvalidHeader`.
   *
   * @example
   * const hash = createHash("sha256");
   * await s.put(url, {
   *   data: tap(fs.createReadStream(path), (chunk) => hash.update(chunk)),
   *   trailers: () => ({ "Content-Digest": `sha-256=:${hash.digest("base64")}:` }),
   * });
   */
  trailers?: TrailersInput | null;
  /** Cookies sent with this request only (not stored in the session jar). */
  cookies?: Record<string, string> | CookieJar | null;
  auth?: AuthInput | null;
  timeout?: TimeoutInput;
  /** Follow redirects (default true). */
  allowRedirects?: boolean;
  /**
   * false disables certificate checks; a string is a CA bundle path (file/dir), PEM text, or
   * `sha256_<hex>` to accept exactly the leaf certificate with that SHA-256 fingerprint.
   */
  verify?: boolean | string;
  cert?: CertInput | null;
  /** true: resolve once headers arrive and read the body on demand. */
  stream?: boolean;
  hooks?: Hooks | null;
  /** Cancels the request at any stage; the promise rejects with the signal's reason. */
  signal?: AbortSignal | null;
  /** Retry policy for this request: a number (total retries), false, or a RetryConfiguration. */
  retries?: RetryInput;
}

/** Session defaults; the connection options (happy eyeballs, HTTP versions …) are the transport's. */
export interface SessionOptions extends NetworkOptions, ProtocolOptions {
  /** Relative request URLs are resolved against this. */
  baseUrl?: string | null;
  headers?: HeadersInput | null;
  cookies?: Record<string, string> | CookieJar | null;
  auth?: AuthInput | null;
  params?: ParamsInput | null;
  verify?: boolean | string;
  cert?: CertInput | null;
  hooks?: Hooks | null;
  /** Default timeout; null means none. Unset: 30 s for GET/HEAD/OPTIONS, 120 s otherwise. */
  timeout?: TimeoutInput;
  /** Redirects followed before TooManyRedirects (default 30). */
  maxRedirects?: number;
  /** Read proxies, netrc and CA settings from the environment (default true). */
  trustEnv?: boolean;
  stream?: boolean;
  /** Origins that keep pooled connections (default 10). */
  poolConnections?: number;
  /** Connections per origin at most (default 10); extra requests wait for a free one. */
  poolMaxsize?: number;
  /** false ignores every Set-Cookie (default true). */
  allowIncomingCookies?: boolean;
  /** Largest decompressed body accepted, in bytes; null (default) for no cap. */
  maxDecompressedSize?: number | null;
  /** Default retry policy; unset: one retry of a failed connect, nothing else. */
  retries?: RetryInput;
  /** TLS versions and ciphers: `{ minVersion?, maxVersion?, ciphers? }`. */
  tlsConfiguration?: TlsConfiguration | null;
}

const REQUEST_KEYS = new Set<string>([
  "params",
  "data",
  "json",
  "files",
  "headers",
  "trailers",
  "cookies",
  "auth",
  "timeout",
  "allowRedirects",
  "verify",
  "cert",
  "stream",
  "hooks",
  "signal",
  "retries",
]);

const SESSION_KEYS = new Set<string>([
  "baseUrl",
  "headers",
  "cookies",
  "auth",
  "params",
  "verify",
  "cert",
  "hooks",
  "timeout",
  "maxRedirects",
  "trustEnv",
  "stream",
  "poolConnections",
  "poolMaxsize",
  "allowIncomingCookies",
  "maxDecompressedSize",
  "retries",
  "tlsConfiguration",
  "happyEyeballs",
  "disableIpv4",
  "disableIpv6",
  "sourceAddress",
  "multiplexed",
  "disableHttp1",
  "disableHttp2",
  "disableHttp3",
  "keepaliveDelay",
  "keepaliveIdleWindow",
]);

/** Named in the API for later transport work; rejected clearly until they exist. */
const RESERVED_KEYS = new Set<string>(["proxies", "resolver", "quicCacheLayer", "app"]);

function checkKeys(options: object, allowed: Set<string>, what: string): void {
  for (const key of Object.keys(options)) {
    if (allowed.has(key)) continue;
    if (RESERVED_KEYS.has(key)) throw new TypeError(`${what} option "${key}" is not supported yet`);
    throw new TypeError(`Unknown ${what} option "${key}"`);
  }
}

export function checkRequestOptions(options: object): void {
  checkKeys(options, REQUEST_KEYS, "request");
}

export function checkSessionOptions(options: object): void {
  checkKeys(options, SESSION_KEYS, "Session");
}
