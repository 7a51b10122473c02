import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { HeaderList, ProtocolEvent } from "../../src/protocols/events.ts";
import { encodeChunk, lastChunk, serializeRequestHead } from "../../src/protocols/h1/request-serializer.ts";
import { H1ResponseParser } from "../../src/protocols/h1/response-parser.ts";

const latin1 = (u: Uint8Array): string =>
  Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString("latin1");

describe("serializeRequestHead", () => {
  test("exact bytes, header order and case kept, duplicates kept", () => {
    const head = serializeRequestHead("GET", "/path?q=1", [
      ["Host", "example.com"],
      ["accept", "*/*"],
      ["X-Dup", "a"],
      ["X-Dup", "b"],
    ]);
    assert.equal(
      latin1(head),
      "GET /path?q=1 HTTP/1.1\r\nHost: example.com\r\naccept: */*\r\nX-Dup: a\r\nX-Dup: b\r\n\r\n",
    );
  });

  test("no headers; latin1 values encoded one byte per char; empty value", () => {
    assert.equal(latin1(serializeRequestHead("OPTIONS", "*", [])), "OPTIONS * HTTP/1.1\r\n\r\n");
    const head = serializeRequestHead("POST", "/", [
      ["X-L", "caf\u00e9"],
      ["X-E", ""],
    ]);
    assert.equal(head[head.indexOf(0x66) + 1], 0xe9, "é is the single byte 0xe9");
    assert.equal(latin1(head), "POST / HTTP/1.1\r\nX-L: caf\u00e9\r\nX-E: \r\n\r\n");
    assert.equal(head.byteLength, "POST / HTTP/1.1\r\nX-L: caf\u00e9\r\nX-E: \r\n\r\n".length);
  });

  test("absolute-form and authority-form targets pass", () => {
    assert.equal(
      latin1(serializeRequestHead("CONNECT", "example.com:443", [])),
      "CONNECT example.com:443 HTTP/1.1\r\n\r\n",
    );
    assert.match(latin1(serializeRequestHead("GET", "http://a/b", [])), /^GET http:\/\/a\/b HTTP\/1\.1\r\n/);
  });

  const bad: Array<[string, string, string, HeaderList]> = [
    ["CR in method", "GE\rT", "/", []],
    ["space in method", "GE T", "/", []],
    ["empty method", "", "/", []],
    ["LF in target", "GET", "/a\nb", []],
    ["CR in target", "GET", "/a\rb", []],
    ["NUL in target", "GET", "/a\0b", []],
    ["space in target", "GET", "/a b", []],
    ["empty target", "GET", "", []],
    ["non-latin1 target", "GET", "/\u20ac", []],
    ["CRLF injection in value", "GET", "/", [["X-A", "v\r\nInjected: 1"]]],
    ["LF in value", "GET", "/", [["X-A", "v\nw"]]],
    ["NUL in value", "GET", "/", [["X-A", "v\0"]]],
    ["non-latin1 value", "GET", "/", [["X-A", "\u20ac"]]],
    ["CR in name", "GET", "/", [["X-\rA", "v"]]],
    ["colon in name", "GET", "/", [["X:A", "v"]]],
    ["space in name", "GET", "/", [["X A", "v"]]],
    ["empty name", "GET", "/", [["", "v"]]],
  ];
  for (const [name, method, target, headers] of bad) {
    test(`TypeError: ${name}`, () =>
      assert.throws(() => serializeRequestHead(method, target, headers), TypeError));
  }
});

describe("chunked framing", () => {
  test("encodeChunk frames size in hex, keeps the data view", () => {
    const data = Buffer.from("hello world, this is 31 bytes!!");
    const parts = encodeChunk(data);
    assert.equal(parts.length, 3);
    assert.equal(parts[1], data, "data passed through without a copy");
    assert.equal(Buffer.concat(parts).toString("latin1"), "1f\r\nhello world, this is 31 bytes!!\r\n");
    assert.equal(
      Buffer.concat(encodeChunk(new Uint8Array(4096)))
        .subarray(0, 5)
        .toString(),
      "1000\r",
    );
  });

  test("encodeChunk of nothing emits nothing (no premature last-chunk)", () => {
    assert.deepEqual(encodeChunk(new Uint8Array(0)), []);
  });

  test("lastChunk with and without trailers", () => {
    assert.equal(latin1(lastChunk()), "0\r\n\r\n");
    assert.equal(latin1(lastChunk([])), "0\r\n\r\n");
    assert.equal(
      latin1(
        lastChunk([
          ["X-Sum", "abc"],
          ["X-B", "2"],
        ]),
      ),
      "0\r\nX-Sum: abc\r\nX-B: 2\r\n\r\n",
    );
    assert.throws(() => lastChunk([["X-A", "a\r\nb"]]), TypeError);
    assert.throws(() => lastChunk([["X A", "b"]]), TypeError);
  });

  test("lastChunk() returns a fresh buffer each time", () => {
    const a = lastChunk();
    a[0] = 0x39;
    assert.equal(latin1(lastChunk()), "0\r\n\r\n");
  });

  test("round trip: our chunk framing is parsed back by our response parser", () => {
    const pieces = [Buffer.from("abc"), Buffer.alloc(300, 0x78), Buffer.from([0, 13, 10])];
    const framed = Buffer.concat([
      Buffer.from("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
      ...pieces.flatMap((p) => encodeChunk(p)),
      ...encodeChunk(new Uint8Array(0)),
      lastChunk([["X-T", "1"]]),
    ]);
    const body: Buffer[] = [];
    let trailers: HeaderList | null = null;
    let ended = false;
    const parser = new H1ResponseParser((e: ProtocolEvent) => {
      if (e.type === "data") body.push(Buffer.from(e.data));
      if (e.type === "trailers") trailers = e.headers;
      if (e.type === "end") ended = true;
    });
    parser.expect("GET");
    parser.feed(framed);
    assert.ok(ended);
    assert.deepEqual(Buffer.concat(body), Buffer.concat(pieces));
    assert.deepEqual(trailers, [["X-T", "1"]]);
  });
});
