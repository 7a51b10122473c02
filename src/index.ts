/**
 * niquests: a modern HTTP client for Node.js. Sessions with persistent headers, cookies and auth;
 * redirects, timeouts, streaming, multipart and content decoding; its own HTTP/1.1 engine.
 * @packageDocumentation
 */
import { del, get, head, options, patch, post, put, request } from "./api.ts";

export { del, get, head, options, patch, post, put, request } from "./api.ts";
export type { AuthFunction, AuthInput } from "./auth/auth-base.ts";
export { AuthBase, BearerTokenAuth, HTTPBasicAuth } from "./auth/auth-base.ts";
export type { HTTPDigestAuthOptions } from "./auth/digest-auth.ts";
export { HTTPDigestAuth } from "./auth/digest-auth.ts";
export type { CookieFilter, CookieOptions, NetscapeSaveOptions, StoredCookie } from "./cookies/cookie-jar.ts";
export { CookieJar } from "./cookies/cookie-jar.ts";
export { CHANNELS } from "./diagnostics/channels.ts";
export * from "./errors/errors.ts";
export type { DownloadProgress, Hook, Hooks } from "./hooks/hooks.ts";
export type {
  AcquireOptions,
  LeakyBucketLimiterOptions,
  LimiterClock,
  TokenBucketLimiterOptions,
} from "./hooks/rate-limiters.ts";
export { LeakyBucketLimiter, TokenBucketLimiter } from "./hooks/rate-limiters.ts";
export { CaseInsensitiveDict } from "./models/case-insensitive-dict.ts";
export type { HeaderValueWithParams } from "./models/header-value.ts";
export type { KnownObjectHeaders, ObjectHeaders } from "./models/object-headers.ts";
export { PreparedRequest } from "./models/prepared-request.ts";
export type { RequestInit } from "./models/request.ts";
export { Request } from "./models/request.ts";
export type { ResponseInit } from "./models/response.ts";
export { Response } from "./models/response.ts";
export { codes } from "./models/status-codes.ts";
export type { AltName, CertificateDict, NameAttribute } from "./net/certificate-dict.ts";
export type { LookupAddress, LookupFunction } from "./net/happy-eyeballs.ts";
export type { TlsConfiguration } from "./net/tls-config.ts";
export type { ConnectionSummary, OriginSummary } from "./pool/connection-pool.ts";
export type { RetryInput, RetryOptions } from "./retry/retry-configuration.ts";
export { RetryConfiguration } from "./retry/retry-configuration.ts";
export type { DataInput, FileSpec, FilesInput } from "./session/encode-body.ts";
export type { ParamsInput } from "./session/encode-params.ts";
export type { Gatherable, GatherOptions } from "./session/gather.ts";
export type {
  CertInput,
  HeadersInput,
  RequestOptions,
  SessionOptions,
  TrailersFunction,
  TrailersInput,
} from "./session/options.ts";
export type { SendOptions } from "./session/session.ts";
export { Session } from "./session/session.ts";
export type { TimeoutInput, TimeoutParts } from "./session/timeouts.ts";
export { TimeoutConfiguration } from "./session/timeouts.ts";
export type { MockHandler, MockRequest, MockResponse } from "./transport/mock-transport.ts";
export { MockTransport } from "./transport/mock-transport.ts";
export type {
  ConnectionInfo,
  RequestBody,
  RequestTrailers,
  ResponseBodyStream,
  StreamBody,
  Transport,
  TransportContext,
  TransportRequest,
  TransportResponse,
  UploadProgress,
} from "./transport/transport.ts";
export { VERSION } from "./version.ts";

/** The one-off functions as one object: `niquests.get(url)`, `niquests.delete(url)`. */
const niquests = { request, get, head, options, post, put, patch, delete: del, del };
export default niquests;
