import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  ConnectionError,
  ConnectTimeout,
  InvalidHeader,
  ReadTimeout,
  RetryError,
  SSLError,
} from "../../src/index.ts";
import { Response } from "../../src/models/response.ts";
import { parseRetryAfter } from "../../src/retry/retry-after.ts";
import { DEFAULT_RETRIES, RetryConfiguration } from "../../src/retry/retry-configuration.ts";
import { RetryState } from "../../src/retry/retry-state.ts";
import { mapError } from "../../src/transport/map-errors.ts";

const refused = () =>
  mapError(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), "connect");
const reset = () => mapError(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }), "request");
const response = (status: number, headers: Record<string, string> = {}) =>
  new Response({ statusCode: status, headers: Object.entries(headers), url: "http://h.test/" });

describe("Retry-After", () => {
  test("seconds and HTTP dates", () => {
    assert.equal(parseRetryAfter("3"), 3000);
    const now = Date.parse("Sun, 06 Nov 1994 08:49:37 GMT");
    assert.equal(parseRetryAfter("Sun, 06 Nov 1994 08:49:40 GMT", now), 3000);
    assert.equal(parseRetryAfter("Sun, 06 Nov 1994 08:49:00 GMT", now), 0);
  });
  test("malformed values are InvalidHeader", () => {
    for (const bad of ["-1", "1.5", "soon", "", "Sun, 06 Nov 1994 08:49:40"]) {
      assert.throws(() => parseRetryAfter(bad), InvalidHeader, bad);
    }
  });
});

describe("RetryState", () => {
  test("connect failures are retried up to the connect budget, then the error itself is thrown", () => {
    const state = new RetryState(new RetryConfiguration({ connect: 2 }));
    assert.equal(state.afterError("POST", refused()), 0);
    assert.equal(state.afterError("POST", refused()), 0);
    const last = refused();
    assert.throws(
      () => state.afterError("POST", last),
      (e) => e === last,
    );
  });

  test("read failures are retried only for allowed methods", () => {
    const state = new RetryState(new RetryConfiguration({ total: 3 }));
    assert.throws(() => state.afterError("POST", reset()), ConnectionError);
    assert.equal(
      new RetryState(new RetryConfiguration({ total: 3 })).afterError("GET", new ReadTimeout("x")),
      0,
    );
    assert.throws(() =>
      new RetryState(new RetryConfiguration({ total: 3, read: 0 })).afterError("GET", reset()),
    );
  });

  test("TLS failures and unknown errors are never retried", () => {
    const state = new RetryState(new RetryConfiguration({ total: 5 }));
    assert.throws(() => state.afterError("GET", new SSLError("bad cert")), SSLError);
    assert.throws(() => state.afterError("GET", new TypeError("bug")), TypeError);
    assert.equal(state.attempts, 0);
  });

  test("the default retries a refused connection once and nothing after sending", () => {
    const state = new RetryState(DEFAULT_RETRIES);
    assert.equal(state.afterError("GET", new ConnectTimeout("slow")), 0);
    assert.throws(() => state.afterError("GET", refused()), ConnectionError);
    assert.throws(() => new RetryState(DEFAULT_RETRIES).afterError("GET", reset()), ConnectionError);
    assert.equal(
      new RetryState(DEFAULT_RETRIES).afterResponse("GET", response(503, { "Retry-After": "1" })),
      null,
    );
  });

  test("exponential backoff, capped, none before the first retry", () => {
    const state = new RetryState(new RetryConfiguration({ total: 6, backoffFactor: 100, backoffMax: 500 }));
    const waits = Array.from({ length: 5 }, () => state.afterError("GET", refused()));
    assert.deepEqual(waits, [0, 200, 400, 500, 500]);
  });

  test("jitter adds at most backoffJitter", () => {
    const state = new RetryState(new RetryConfiguration({ total: 50, backoffJitter: 30 }));
    for (let i = 0; i < 20; i++) {
      const wait = state.afterError("GET", refused());
      assert.ok(wait >= 0 && wait <= 30, String(wait));
    }
  });

  test("forcelisted statuses retry; exhaustion is a RetryError carrying the response", () => {
    const state = new RetryState(new RetryConfiguration({ total: 5, status: 2, statusForcelist: [503] }));
    assert.equal(state.afterResponse("GET", response(200)), null);
    assert.equal(state.afterResponse("GET", response(503)), 0);
    assert.equal(state.afterResponse("GET", response(503)), 0);
    const last = response(503);
    const error = (() => {
      try {
        state.afterResponse("GET", last);
      } catch (e) {
        return e;
      }
    })();
    assert.ok(error instanceof RetryError);
    assert.equal(error.response, last);
    assert.equal(error.code, "ERR_RETRY_EXHAUSTED");
  });

  test("raiseOnStatus: false keeps the last response", () => {
    const state = new RetryState(
      new RetryConfiguration({ status: 1, statusForcelist: [500], raiseOnStatus: false }),
    );
    assert.equal(state.afterResponse("GET", response(500)), 0);
    assert.equal(state.afterResponse("GET", response(500)), null);
  });

  test("Retry-After on 429/503 is honoured (capped by backoffMax); a malformed one is an error", () => {
    const state = new RetryState(new RetryConfiguration({ total: 3, backoffMax: 5000 }));
    assert.equal(state.afterResponse("GET", response(429, { "Retry-After": "2" })), 2000);
    assert.equal(state.afterResponse("GET", response(503, { "Retry-After": "60" })), 5000);
    assert.equal(
      state.afterResponse("GET", response(500, { "Retry-After": "1" })),
      null,
      "500 is not a Retry-After status",
    );
    assert.throws(() => state.afterResponse("GET", response(503, { "Retry-After": "later" })), InvalidHeader);
    const ignoring = new RetryState(new RetryConfiguration({ total: 3, respectRetryAfterHeader: false }));
    assert.equal(ignoring.afterResponse("GET", response(503, { "Retry-After": "1" })), null);
  });

  test("POST is not retried on status unless allowed", () => {
    const config = { total: 3, statusForcelist: [503] };
    assert.equal(new RetryState(new RetryConfiguration(config)).afterResponse("POST", response(503)), null);
    const allowed = new RetryState(new RetryConfiguration({ ...config, allowedMethods: ["POST"] }));
    assert.equal(allowed.afterResponse("POST", response(503)), 0);
  });

  test("RetryConfiguration.from and validation", () => {
    assert.equal(RetryConfiguration.from(undefined, DEFAULT_RETRIES), DEFAULT_RETRIES);
    assert.equal(RetryConfiguration.from(3, DEFAULT_RETRIES).total, 3);
    assert.equal(RetryConfiguration.from(false, DEFAULT_RETRIES).total, 0);
    assert.throws(() => new RetryConfiguration({ total: -1 }), TypeError);
    assert.throws(() => new RetryConfiguration({ backoffFactor: Number.NaN }), TypeError);
  });
});
