import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { Writable } from "node:stream";
import { describe, test } from "node:test";
import { InvalidHeader, RequestException } from "../../src/errors/errors.ts";
import { CaseInsensitiveDict } from "../../src/models/case-insensitive-dict.ts";
import type { HeaderList } from "../../src/protocols/events.ts";
import { lastChunk } from "../../src/protocols/h1/request-serializer.ts";
import { writeBody } from "../../src/protocols/h1/write-body.ts";
import { trailerBlock } from "../../src/protocols/h2/h2-headers.ts";
import {
  announcedNames,
  isForbiddenTrailer,
  prepareTrailers,
  trailerList,
  transportTrailers,
} from "../../src/session/trailers.ts";
import type { StreamBody } from "../../src/transport/transport.ts";

const isInvalidHeader = (e: unknown) => e instanceof InvalidHeader && e.code === "ERR_INVALID_HEADER";

/** A writable standing in for the socket: records every byte in write order. */
function recorder(): { socket: Socket; text: () => string } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
  });
  return { socket: sink as unknown as Socket, text: () => Buffer.concat(chunks).toString("latin1") };
}

const HEAD = new TextEncoder().encode("PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
const HEAD_TEXT = "PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";

function streamOf(parts: string[], length: number | null = null): StreamBody {
  return {
    length,
    rewindable: true,
    async *open() {
      for (const part of parts) yield new TextEncoder().encode(part);
    },
  };
}

describe("h1 trailer section bytes", () => {
  test("lastChunk with fields: 0 CRLF, each field line, blank line", () => {
    const bytes = lastChunk([
      ["Content-Digest", "sha-256=:abc=:"],
      ["X-Dup", "1"],
      ["X-Dup", "2"],
    ]);
    assert.equal(
      Buffer.from(bytes).toString("latin1"),
      "0\r\nContent-Digest: sha-256=:abc=:\r\nX-Dup: 1\r\nX-Dup: 2\r\n\r\n",
    );
    assert.equal(Buffer.from(lastChunk([])).toString("latin1"), "0\r\n\r\n");
  });

  test("a bytes body with trailers goes as one chunk, then the trailer section", async () => {
    const { socket, text } = recorder();
    await writeBody(socket, HEAD, new TextEncoder().encode("hello"), [["X-Sum", "5"]], null, () => false);
    assert.equal(text(), `${HEAD_TEXT}5\r\nhello\r\n0\r\nX-Sum: 5\r\n\r\n`);
  });

  test("no body with trailers: an empty chunked body carrying the trailer section", async () => {
    const { socket, text } = recorder();
    await writeBody(socket, HEAD, null, [["X-Status", "0"]], null, () => false);
    assert.equal(text(), `${HEAD_TEXT}0\r\nX-Status: 0\r\n\r\n`);
  });

  test("a known-length stream is chunked when trailers follow; the function runs after the body", async () => {
    const { socket, text } = recorder();
    let seenAtCall = "";
    const progress: Array<[number, number | null, boolean]> = [];
    await writeBody(
      socket,
      HEAD,
      streamOf(["ab", "", "cde"], 5),
      async () => {
        seenAtCall = text();
        return [["X-Len", "5"]];
      },
      (p) => progress.push([p.sent, p.total, p.done]),
      () => false,
    );
    assert.equal(seenAtCall, `${HEAD_TEXT}2\r\nab\r\n3\r\ncde\r\n`, "every body byte was written first");
    assert.equal(text(), `${HEAD_TEXT}2\r\nab\r\n3\r\ncde\r\n0\r\nX-Len: 5\r\n\r\n`);
    assert.deepEqual(progress, [
      [2, 5, false],
      [5, 5, false],
      [5, 5, true],
    ]);
  });

  test("a trailers function that rejects leaves the body unterminated (no last chunk)", async () => {
    const { socket, text } = recorder();
    const failure = new RequestException("nope");
    await assert.rejects(
      writeBody(
        socket,
        HEAD,
        streamOf(["x"]),
        () => Promise.reject(failure),
        null,
        () => false,
      ),
      (e) => e === failure,
    );
    assert.equal(text(), `${HEAD_TEXT}1\r\nx\r\n`);
  });

  test("a stream shorter than its declared length is an error even with trailers", async () => {
    const { socket, text } = recorder();
    await assert.rejects(
      writeBody(socket, HEAD, streamOf(["abc"], 10), [["X-A", "1"]], null, () => false),
      (e) => e instanceof RequestException && /produced 3 bytes but declared 10/.test(e.message),
    );
    assert.ok(!text().includes("0\r\n"), "no last chunk after a short body");
  });

  test("abandoned before the trailers: nothing more is written", async () => {
    const { socket, text } = recorder();
    let abandoned = false;
    await writeBody(
      socket,
      HEAD,
      null,
      async () => {
        abandoned = true;
        return [["X-A", "1"]];
      },
      null,
      () => abandoned,
    );
    assert.equal(text(), HEAD_TEXT);
  });
});

describe("trailer validation", () => {
  test("forbidden fields (RFC 9110 §6.5.1) are InvalidHeader, any case", () => {
    for (const name of [
      "Content-Length",
      "transfer-encoding",
      "Host",
      "Content-Type",
      "Trailer",
      "TE",
      "Authorization",
      "Proxy-Authorization",
      "Set-Cookie",
      "Cookie",
      "Connection",
      "Content-Encoding",
      "Cache-Control",
      "Expect",
      "Range",
      "If-None-Match",
    ]) {
      assert.ok(isForbiddenTrailer(name), name);
      assert.throws(() => trailerList({ [name]: "x" }), isInvalidHeader, name);
    }
    assert.ok(!isForbiddenTrailer("Content-Digest"));
    assert.ok(!isForbiddenTrailer("grpc-status"));
  });

  test("pseudo-headers, bad names and CR/LF/NUL values are InvalidHeader", () => {
    assert.throws(() => trailerList({ ":status": "200" }), isInvalidHeader);
    assert.throws(() => trailerList([[":path", "/"]]), isInvalidHeader);
    assert.throws(() => trailerList({ "a b": "1" }), isInvalidHeader);
    assert.throws(() => trailerList({ "": "1" }), isInvalidHeader);
    for (const value of ["a\rb", "a\nb", "a\0b", "a\r\nX-Injected: 1", " lead", "\u0100"]) {
      assert.throws(() => trailerList({ "X-T": value }), isInvalidHeader, JSON.stringify(value));
    }
    assert.throws(() => trailerList([["X-A"]] as never), isInvalidHeader);
    assert.throws(() => trailerList("X-A: 1" as never), isInvalidHeader);
  });

  test("every input form; null values skipped, numbers stringified, repeats kept", () => {
    assert.deepEqual(trailerList({ "X-A": "1", "X-N": 2, "X-Skip": null, "X-U": undefined }), [
      ["X-A", "1"],
      ["X-N", "2"],
    ]);
    assert.deepEqual(
      trailerList([
        ["X-D", "1"],
        ["x-d", "2"],
      ]),
      [
        ["X-D", "1"],
        ["x-d", "2"],
      ],
    );
    assert.deepEqual(trailerList(new Headers({ "X-H": "v" })), [["x-h", "v"]]);
    const dict = new CaseInsensitiveDict();
    dict.append("X-C", "1");
    dict.append("X-C", "2");
    assert.deepEqual(trailerList(dict), [
      ["X-C", "1"],
      ["X-C", "2"],
    ]);
  });

  test("announcedNames: distinct names, first spelling, in order", () => {
    assert.equal(
      announcedNames([
        ["X-A", "1"],
        ["x-b", "2"],
        ["x-a", "3"],
      ]),
      "X-A, x-b",
    );
  });

  test("prepareTrailers: null and empty give null; a function is kept; fields are checked", () => {
    assert.equal(prepareTrailers(null), null);
    assert.equal(prepareTrailers(undefined), null);
    assert.equal(prepareTrailers({}), null);
    assert.equal(prepareTrailers({ "X-A": null }), null);
    const fn = () => ({ "X-A": "1" });
    assert.equal(prepareTrailers(fn), fn);
    const dict = prepareTrailers({ "X-A": "1" });
    assert.ok(dict instanceof CaseInsensitiveDict);
    assert.equal(dict.get("x-a"), "1");
    assert.throws(() => prepareTrailers({ Host: "evil" }), isInvalidHeader);
  });

  test("transportTrailers: the function's answer is checked; its failure becomes a RequestException", async () => {
    const good = transportTrailers(async () => ({ "X-A": "1" }));
    assert.equal(typeof good, "function");
    assert.deepEqual(await (good as () => Promise<HeaderList>)(), [["X-A", "1"]]);

    const bad = transportTrailers(() => ({ "Content-Length": "5" })) as () => Promise<HeaderList>;
    await assert.rejects(bad(), isInvalidHeader);

    const cause = new Error("disk gone");
    const failing = transportTrailers(() => {
      throw cause;
    }) as () => Promise<HeaderList>;
    await assert.rejects(
      failing(),
      (e) => e instanceof RequestException && e.code === "ERR_REQUEST" && e.cause === cause,
    );

    const hooked = new CaseInsensitiveDict({ "X-A": "1" });
    hooked.set("Cookie", "a=b"); // a hook could do this after prepare
    assert.throws(() => transportTrailers(hooked), isInvalidHeader);
  });
});

describe("h2 trailer block", () => {
  test("lowercase names, repeats as arrays, no pseudo or connection fields", () => {
    assert.deepEqual(
      trailerBlock([
        ["Grpc-Status", "0"],
        ["X-D", "1"],
        ["x-d", "2"],
        [":path", "/"],
        ["Connection", "close"],
      ]),
      { "grpc-status": "0", "x-d": ["1", "2"] },
    );
  });
});
