import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  InvalidHeader,
  PreparedRequest,
  Request,
  RequestException,
  RetryConfiguration,
  Session,
} from "../../src/index.ts";
import type { HeaderList } from "../../src/protocols/events.ts";
import { type MockHandler, type MockRequest, MockTransport } from "../../src/transport/mock-transport.ts";

const header = (r: MockRequest, name: string) =>
  r.headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1] ?? null;

function mocked(handler?: MockHandler) {
  const s = new Session({ retries: false });
  const mock = new MockTransport(handler ?? (() => ({ status: 200, body: "ok" })));
  s.mount("http://", mock);
  return { s, mock };
}

const isInvalidHeader = (e: unknown) => e instanceof InvalidHeader && e.code === "ERR_INVALID_HEADER";

describe("request trailers through the session", () => {
  test("static trailers: announced in Trailer, body chunked (no Content-Length), fields to the transport", async () => {
    const { s, mock } = mocked();
    await s.post("http://h.test/", {
      data: "hello",
      trailers: { "Content-Digest": "sha-256=:x:", "X-Count": 1 },
    });
    const sent = mock.requests[0]!;
    assert.equal(header(sent, "Trailer"), "Content-Digest, X-Count");
    assert.equal(header(sent, "Transfer-Encoding"), "chunked");
    assert.equal(header(sent, "Content-Length"), null);
    assert.deepEqual(sent.trailers, [
      ["Content-Digest", "sha-256=:x:"],
      ["X-Count", "1"],
    ]);
  });

  test("a caller's own Trailer header is kept; without trailers nothing changes", async () => {
    const { s, mock } = mocked();
    await s.post("http://h.test/", { data: "x", headers: { Trailer: "X-A, X-B" }, trailers: { "X-A": "1" } });
    await s.post("http://h.test/", { data: "x" });
    assert.equal(header(mock.requests[0]!, "Trailer"), "X-A, X-B");
    const plain = mock.requests[1]!;
    assert.equal(plain.trailers, null);
    assert.equal(header(plain, "Content-Length"), "1");
    assert.equal(header(plain, "Trailer"), null);
  });

  test("no body with trailers: chunked (an empty body) and the trailers", async () => {
    const { s, mock } = mocked();
    await s.get("http://h.test/", { trailers: { "Grpc-Status": "0" } });
    const sent = mock.requests[0]!;
    assert.equal(sent.body, null);
    assert.equal(header(sent, "Transfer-Encoding"), "chunked");
    assert.deepEqual(sent.trailers, [["Grpc-Status", "0"]]);
  });

  test("the function form: no Trailer header, called after the stream body was consumed", async () => {
    let produced = "";
    async function* body() {
      for (const part of ["a", "bc"]) {
        produced += part;
        yield part;
      }
    }
    const { s, mock } = mocked();
    await s.put("http://h.test/", {
      data: body(),
      trailers: async () => ({ "X-Seen": produced }),
    });
    const sent = mock.requests[0]!;
    assert.equal(header(sent, "Trailer"), null);
    assert.equal(header(sent, "Transfer-Encoding"), "chunked");
    assert.deepEqual(sent.trailers, [["X-Seen", "abc"]]);
    assert.equal(new TextDecoder().decode(sent.body as Uint8Array), "abc");
  });

  test("invalid or forbidden static trailers: InvalidHeader, nothing sent", async () => {
    const { s, mock } = mocked();
    for (const trailers of [
      { "X-A": "a\r\nInjected: 1" },
      { "X-A": "a\0" },
      { "Content-Length": "5" },
      { host: "evil.test" },
      { Authorization: "Bearer x" },
      { "Set-Cookie": "a=b" },
      { ":status": "200" },
      { "bad name": "1" },
    ]) {
      await assert.rejects(s.post("http://h.test/", { data: "x", trailers }), isInvalidHeader);
    }
    assert.equal(mock.requests.length, 0);
  });

  test("a function answering a forbidden field fails with InvalidHeader; a throwing one with its cause", async () => {
    const { s } = mocked();
    await assert.rejects(
      s.post("http://h.test/", { data: "x", trailers: () => ({ "Transfer-Encoding": "gzip" }) }),
      isInvalidHeader,
    );
    const cause = new Error("checksum unavailable");
    await assert.rejects(
      s.post("http://h.test/", {
        data: "x",
        trailers: () => {
          throw cause;
        },
      }),
      (e) => e instanceof RequestException && e.cause === cause && e.request !== null,
    );
  });

  test("unknown option keys are still a TypeError", async () => {
    const { s } = mocked();
    await assert.rejects(s.post("http://h.test/", { trailer: { "X-A": "1" } } as never), TypeError);
  });

  test("a 307 replays the body and re-sends the trailers, calling the function again", async () => {
    let calls = 0;
    const seen: Array<HeaderList | null> = [];
    const { s } = mocked((req) => {
      seen.push(req.trailers);
      return req.url.pathname === "/start" ? { status: 307, headers: { Location: "/end" } } : { status: 200 };
    });
    const r = await s.post("http://h.test/start", {
      data: "x",
      trailers: () => ({ "X-Call": ++calls }),
    });
    assert.equal(r.statusCode, 200);
    assert.deepEqual(seen, [[["X-Call", "1"]], [["X-Call", "2"]]]);
  });

  test("a 303 drops the body, its trailers and the Trailer header", async () => {
    const { s, mock } = mocked((req) =>
      req.url.pathname === "/start" ? { status: 303, headers: { Location: "/end" } } : { status: 200 },
    );
    await s.post("http://h.test/start", { data: "x", trailers: { "X-A": "1" } });
    const second = mock.requests[1]!;
    assert.equal(second.method, "GET");
    assert.equal(second.trailers, null);
    assert.equal(header(second, "Trailer"), null);
    assert.equal(header(second, "Transfer-Encoding"), null);
  });

  test("retries after a retryable status re-send the trailers", async () => {
    let calls = 0;
    const seen: Array<HeaderList | null> = [];
    const s = new Session({
      retries: new RetryConfiguration({ total: 1, statusForcelist: [503], backoffFactor: 0 }),
    });
    s.mount(
      "http://",
      new MockTransport((req) => {
        seen.push(req.trailers);
        return { status: seen.length === 1 ? 503 : 200 };
      }),
    );
    const r = await s.put("http://h.test/", { data: "x", trailers: () => ({ "X-Call": ++calls }) });
    assert.equal(r.statusCode, 200);
    assert.deepEqual(seen, [[["X-Call", "1"]], [["X-Call", "2"]]]);
  });

  test("Request and PreparedRequest carry the trailers; copy() keeps them apart", async () => {
    const s = new Session();
    const request = new Request({
      method: "POST",
      url: "http://h.test/",
      data: "x",
      trailers: { "X-A": "1" },
    });
    assert.deepEqual(request.trailers, { "X-A": "1" });
    const prepared = await s.prepareRequest(request);
    assert.ok(prepared instanceof PreparedRequest);
    assert.ok(prepared.trailers !== null && typeof prepared.trailers !== "function");
    assert.equal(prepared.trailers.get("x-a"), "1");
    const copy = prepared.copy();
    assert.ok(copy.trailers !== null && typeof copy.trailers !== "function");
    copy.trailers.set("X-B", "2");
    assert.equal(prepared.trailers.get("X-B"), null);
    await assert.rejects(
      s.prepareRequest(new Request({ url: "http://h.test/", trailers: { TE: "trailers" } })),
      isInvalidHeader,
    );
    await s.close();
  });
});
