import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as niquests from "../../src/index.ts";

test("the public exports are exactly the curated list", () => {
  assert.deepEqual(Object.keys(niquests).sort(), [
    "AuthBase",
    "BearerTokenAuth",
    "BodyNotLoadedError",
    "CHANNELS",
    "CaseInsensitiveDict",
    "ChunkedEncodingError",
    "ConnectTimeout",
    "ConnectionError",
    "ContentDecodingError",
    "CookieFileError",
    "CookieJar",
    "HTTPBasicAuth",
    "HTTPDigestAuth",
    "HTTPError",
    "HookError",
    "InvalidHeader",
    "InvalidJSONError",
    "InvalidSchema",
    "InvalidURL",
    "JSONDecodeError",
    "LeakyBucketLimiter",
    "MissingSchema",
    "MockTransport",
    "MultiplexingError",
    "PreparedRequest",
    "ProtocolError",
    "ProxyError",
    "ReadTimeout",
    "Request",
    "RequestException",
    "Response",
    "RetryConfiguration",
    "RetryError",
    "SSLError",
    "Session",
    "StreamConsumedError",
    "Timeout",
    "TimeoutConfiguration",
    "TokenBucketLimiter",
    "TooManyRedirects",
    "UnrewindableBodyError",
    "VERSION",
    "codes",
    "default",
    "del",
    "get",
    "head",
    "isChunkedEncodingError",
    "isConnectTimeoutError",
    "isConnectionError",
    "isContentDecodingError",
    "isCookieFileError",
    "isHTTPError",
    "isHookError",
    "isInvalidHeaderError",
    "isInvalidURLError",
    "isJSONDecodeError",
    "isMultiplexingError",
    "isProtocolError",
    "isProxyError",
    "isReadTimeoutError",
    "isRequestException",
    "isRetryError",
    "isSSLError",
    "isStreamConsumedError",
    "isTimeoutError",
    "isTooManyRedirectsError",
    "isUnrewindableBodyError",
    "options",
    "patch",
    "post",
    "put",
    "request",
  ]);
});

test("VERSION matches package.json", () => {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  assert.equal(niquests.VERSION, pkg.version);
});

test("every error class has a distinct stable code", () => {
  const codes = new Map<string, string>();
  for (const [name, value] of Object.entries(niquests)) {
    if (
      typeof value !== "function" ||
      !(value.prototype instanceof Error || value === niquests.RequestException)
    )
      continue;
    const error = new (value as new (message: string) => niquests.RequestException)("x");
    assert.match(error.code, /^ERR_[A-Z_]+$/, name);
    assert.ok(!codes.has(error.code), `${name} reuses ${error.code} of ${codes.get(error.code)}`);
    codes.set(error.code, name);
    assert.equal(error.name, name);
  }
  assert.ok(codes.size >= 20);
});
