import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import type { HeaderList, HeadersReceived, ProtocolEvent } from "../../src/protocols/events.ts";
import { H1ParseError } from "../../src/protocols/h1/h1-parse-error.ts";
import { type H1ParserOptions, H1ResponseParser } from "../../src/protocols/h1/response-parser.ts";

interface CaseExpect {
  ok?: boolean;
  either?: boolean;
  error?: "protocol" | "incomplete";
  status?: number;
  reason?: string;
  body?: string;
  keepAlive?: boolean;
  closeDelimited?: boolean;
  upgrade?: boolean;
  tunnel?: boolean;
  contentLength?: number | null;
  headers?: Record<string, string>;
  rawHeaderNames?: string[];
  trailers?: Record<string, string> | null;
  setCookie?: string[];
  informational?: number[];
  trailingBytes?: string;
}
interface Case {
  name: string;
  method: string;
  raw: string;
  expect: CaseExpect;
}

/** Everything observable about one parse, with data merged so any split gives the same record. */
interface Outcome {
  informational: Array<{ status: number; reason: string; headers: HeaderList }>;
  head: Omit<HeadersReceived, "type"> | null;
  body: string;
  trailers: HeaderList | null;
  ends: number;
  error: "protocol" | "incomplete" | null;
  trailing: string;
  order: string[];
}

/** Feed `pieces` to a fresh parser armed for `method`, then EOF unless the message ended. */
function run(method: string, pieces: Uint8Array[], options?: H1ParserOptions): Outcome {
  const out: Outcome = {
    informational: [],
    head: null,
    body: "",
    trailers: null,
    ends: 0,
    error: null,
    trailing: "",
    order: [],
  };
  const parser = new H1ResponseParser((event: ProtocolEvent) => {
    if (out.order.at(-1) !== event.type) out.order.push(event.type);
    switch (event.type) {
      case "informational":
        out.informational.push({ status: event.status, reason: event.reason, headers: event.headers });
        break;
      case "headers": {
        const { type: _type, ...rest } = event;
        out.head = rest;
        break;
      }
      case "data":
        assert.ok(event.data.byteLength > 0, "no empty data events");
        out.body += Buffer.from(event.data).toString("latin1"); // copy now: views die on next feed
        break;
      case "trailers":
        out.trailers = event.headers;
        break;
      case "end":
        out.ends++;
        assert.equal(parser.busy, false);
        break;
      default:
        assert.fail(`unexpected event ${event.type}`);
    }
  }, options);
  parser.expect(method);
  try {
    for (const piece of pieces) parser.feed(piece);
    if (out.ends === 0) parser.finish();
  } catch (error) {
    if (!(error instanceof H1ParseError)) throw error;
    out.error = error.incomplete ? "incomplete" : "protocol";
    assert.equal(parser.busy, false);
  }
  out.trailing = Buffer.from(parser.takeRemaining()).toString("latin1");
  return out;
}

function lower(list: HeaderList): Record<string, string> {
  const o: Record<string, string> = {};
  for (const [k, v] of list) o[k.toLowerCase()] = v;
  return o;
}

/** Our documented choices for the cases the conformance data marks `either`. */
const EITHER_CHOICES: Record<string, CaseExpect> = {
  "HTTP/2.0 version on h1": { ok: false, error: "protocol" },
  "two identical Content-Length": { ok: true, status: 200, body: "hello", contentLength: 5, keepAlive: true },
  "bare LF line endings": { ok: false, error: "protocol" },
};

function checkExpectations(c: Case, out: Outcome): void {
  const e = c.expect.either ? EITHER_CHOICES[c.name] : c.expect;
  assert.ok(e, `no documented choice for either-case ${c.name}`);
  if (e.ok === false) {
    assert.equal(out.error, e.error, "error kind");
    assert.equal(out.ends, 0, "no end after an error");
    return;
  }
  assert.equal(out.error, null, "no error");
  assert.equal(out.ends, 1, "exactly one end");
  const head = out.head;
  assert.ok(head, "headers event");
  assert.equal(out.order.filter((t) => t === "headers").length, 1);
  if (e.status !== undefined) assert.equal(head.status, e.status);
  if (e.reason !== undefined) assert.equal(head.reason, e.reason);
  if (e.body !== undefined) assert.equal(out.body, e.body);
  if (e.keepAlive !== undefined) assert.equal(head.keepAlive, e.keepAlive);
  if (e.closeDelimited !== undefined) assert.equal(head.closeDelimited, e.closeDelimited);
  if (e.upgrade !== undefined) assert.equal(head.upgrade, e.upgrade);
  if (e.tunnel !== undefined) assert.equal(head.upgrade, e.tunnel);
  if (e.contentLength !== undefined) assert.equal(head.contentLength, e.contentLength);
  if (e.headers) {
    const got = lower(head.headers);
    for (const [k, v] of Object.entries(e.headers)) assert.equal(got[k], v, `header ${k}`);
  }
  if (e.rawHeaderNames)
    assert.deepEqual(
      head.headers.map(([k]) => k),
      e.rawHeaderNames,
    );
  if (e.trailers === null) assert.equal(out.trailers, null);
  else if (e.trailers) assert.deepEqual(lower(out.trailers ?? []), e.trailers);
  if (e.setCookie) {
    const cookies = head.headers.filter(([k]) => k.toLowerCase() === "set-cookie").map(([, v]) => v);
    assert.deepEqual(cookies, e.setCookie);
  }
  assert.deepEqual(
    out.informational.map((i) => i.status),
    e.informational ?? [],
  );
  if (e.trailingBytes !== undefined) assert.equal(out.trailing, e.trailingBytes);
  if (head.upgrade) assert.deepEqual(out.order.slice(-2), ["headers", "end"]);
}

/** Whole, every two-way split, byte-at-a-time (plain Uint8Array views), all equal and as expected. */
function checkCase(c: Case): void {
  const raw = Buffer.from(c.raw, "latin1");
  const whole = run(c.method, [raw]);
  checkExpectations(c, whole);
  for (let k = 0; k <= raw.length; k++) {
    const split = run(c.method, [raw.subarray(0, k), raw.subarray(k)]);
    assert.deepEqual(split, whole, `split at ${k} differs`);
  }
  const bytes = new Uint8Array(raw);
  const drip = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
  assert.deepEqual(run(c.method, drip), whole, "byte-at-a-time differs");
}

function loadCases(url: URL): Case[] | null {
  if (!existsSync(url)) return null;
  return (JSON.parse(readFileSync(url, "utf8")) as { cases: Case[] }).cases;
}

const sharedUrl = new URL("../../../shared/conformance/h1-responses.json", import.meta.url);
const shared = loadCases(sharedUrl);

describe("h1 conformance cases (every split point)", () => {
  if (shared === null) {
    if (process.env.CI) {
      test("conformance data present", () => assert.fail(`missing ${sharedUrl.pathname}`));
    } else {
      test("conformance data present", { skip: `missing ${sharedUrl.pathname}` }, () => {});
    }
    return;
  }
  test("the file holds at least the 54 documented cases", () => assert.ok(shared.length >= 54));
  for (const c of shared) test(c.name, () => checkCase(c));
});

describe("h1 extra cases (every split point)", () => {
  const extra = loadCases(new URL("../data/h1-extra-cases.json", import.meta.url));
  assert.ok(extra && extra.length > 0, "test/data/h1-extra-cases.json");
  for (const c of extra) test(c.name, () => checkCase(c));
});

const b = (s: string): Buffer => Buffer.from(s, "latin1");

describe("H1ResponseParser API", () => {
  test("events carry the full head, data views point into the chunk", () => {
    const events: ProtocolEvent[] = [];
    const p = new H1ResponseParser((e) => events.push(e));
    p.expect("GET");
    assert.equal(p.busy, true);
    const chunk = b("HTTP/1.1 201 Created\r\nX-A: 1\r\nContent-Length: 3\r\n\r\nabc");
    p.feed(chunk);
    assert.deepEqual(events[0], {
      type: "headers",
      status: 201,
      reason: "Created",
      httpVersion: 11,
      headers: [
        ["X-A", "1"],
        ["Content-Length", "3"],
      ],
      keepAlive: true,
      closeDelimited: false,
      upgrade: false,
      contentLength: 3,
    });
    const data = events[1];
    assert.ok(data?.type === "data");
    assert.equal(data.data.buffer, chunk.buffer, "zero-copy view");
    assert.equal(Buffer.from(data.data).toString(), "abc");
    assert.deepEqual(events[2], { type: "end" });
    assert.equal(p.busy, false);
  });

  test("informational events carry headers; trailers event carries fields", () => {
    const events: ProtocolEvent[] = [];
    const p = new H1ResponseParser((e) => events.push(e));
    p.expect("GET");
    p.feed(
      b("HTTP/1.1 103 Early\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
    );
    p.feed(b("0\r\nX-T: v\r\n\r\n"));
    assert.deepEqual(events[0], {
      type: "informational",
      status: 103,
      reason: "Early",
      headers: [["Link", "</a>"]],
    });
    assert.deepEqual(
      events.slice(2).map((e) => e.type),
      ["trailers", "end"],
    );
    assert.deepEqual(events[2], { type: "trailers", headers: [["X-T", "v"]] });
  });

  test("pipelining: takeRemaining, re-arm, feed remaining", () => {
    const statuses: number[] = [];
    const p = new H1ResponseParser((e) => {
      if (e.type === "headers") statuses.push(e.status);
    });
    p.expect("GET");
    p.feed(b("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 404 NF\r\nContent-Length: 0\r\n\r\n"));
    p.expect("GET");
    assert.throws(() => p.feed(b("x")), /takeRemaining/, "pending bytes must be fed first");
    const rest = p.takeRemaining();
    assert.equal(p.takeRemaining().byteLength, 0, "cleared");
    p.feed(rest);
    assert.deepEqual(statuses, [200, 404]);
    assert.equal(p.busy, false);
  });

  test("bytes fed while idle accumulate in takeRemaining", () => {
    const p = new H1ResponseParser(() => {});
    p.feed(b("ab"));
    p.feed(new Uint8Array([0x63]));
    assert.equal(Buffer.from(p.takeRemaining()).toString(), "abc");
  });

  test("the end handler may re-arm and feed the next response", () => {
    const statuses: number[] = [];
    const p = new H1ResponseParser((e) => {
      if (e.type === "headers") statuses.push(e.status);
      if (e.type === "end" && statuses.length === 1) {
        p.expect("GET");
        p.feed(p.takeRemaining());
      }
    });
    p.expect("GET");
    p.feed(b("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 202 A\r\nContent-Length: 0\r\n\r\n"));
    assert.deepEqual(statuses, [200, 202]);
  });

  test("feeding from a data handler is refused", () => {
    const p = new H1ResponseParser((e) => {
      if (e.type === "data") p.feed(b("x"));
    });
    p.expect("GET");
    assert.throws(() => p.feed(b("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")), /own event handler/);
  });

  test("a parse error kills the parser", () => {
    const p = new H1ResponseParser(() => {});
    p.expect("GET");
    assert.throws(
      () => p.feed(b("HTTP/1.1 20 OK\r\n\r\n")),
      (e) => e instanceof H1ParseError && !e.incomplete,
    );
    assert.equal(p.busy, false);
    assert.throws(() => p.feed(b("HTTP/1.1 200 OK\r\n\r\n")), H1ParseError);
    assert.throws(() => p.expect("GET"), /cannot be reused/);
    p.finish(); // no-op once dead
  });

  test("expect() while busy is a usage error; finish() while idle is a no-op", () => {
    const p = new H1ResponseParser(() => {});
    p.finish();
    p.expect("GET");
    assert.throws(() => p.expect("GET"), /still parsing/);
    assert.throws(
      () => p.finish(),
      (e) => e instanceof H1ParseError && e.incomplete,
    );
  });

  test("maxHeaderBytes counts the whole head, across chunks", () => {
    const head = "HTTP/1.1 200 OK\r\nX-A: 12345\r\n\r\n"; // 32 bytes
    const ok = run("HEAD", [b(head)], { maxHeaderBytes: head.length });
    assert.equal(ok.error, null);
    const tooBig = run("HEAD", [b(head)], { maxHeaderBytes: head.length - 1 });
    assert.equal(tooBig.error, "protocol");
    const dripped = run(
      "HEAD",
      [...head].map((ch) => b(ch)),
      { maxHeaderBytes: head.length - 1 },
    );
    assert.equal(dripped.error, "protocol");
  });

  test("a slow drip of an endless header line is cut at the limit, buffering at most the limit", () => {
    const p = new H1ResponseParser(() => {}, { maxHeaderBytes: 1024 });
    p.expect("GET");
    p.feed(b("HTTP/1.1 200 OK\r\nX-Long: "));
    let fed = 0;
    assert.throws(() => {
      for (;;) {
        p.feed(b("aaaaaaa"));
        fed += 7;
        assert.ok(p.bufferedBytes <= 1024);
        assert.ok(fed < 2048, "limit not enforced");
      }
    }, H1ParseError);
  });

  test("maxHeaderCount applies to heads and trailers", () => {
    const fields = "A: 1\r\nB: 2\r\nC: 3\r\n";
    assert.equal(run("GET", [b(`HTTP/1.1 204 N\r\n${fields}\r\n`)], { maxHeaderCount: 3 }).error, null);
    assert.equal(
      run("GET", [b(`HTTP/1.1 204 N\r\n${fields}D: 4\r\n\r\n`)], { maxHeaderCount: 3 }).error,
      "protocol",
    );
    const chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n";
    assert.equal(run("GET", [b(`${chunked}${fields}\r\n`)], { maxHeaderCount: 3 }).error, null);
    assert.equal(run("GET", [b(`${chunked}${fields}D: 4\r\n\r\n`)], { maxHeaderCount: 3 }).error, "protocol");
  });

  test("option validation", () => {
    assert.throws(() => new H1ResponseParser(() => {}, { maxHeaderBytes: 0 }), RangeError);
    assert.throws(() => new H1ResponseParser(() => {}, { maxHeaderCount: 1.5 }), RangeError);
  });

  test("a large chunk with head and body decodes only the head", () => {
    const body = "z".repeat(100_000);
    const out = run("GET", [b(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`)]);
    assert.equal(out.error, null);
    assert.equal(out.body, body);
  });
});
