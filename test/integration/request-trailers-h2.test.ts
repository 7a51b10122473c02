/**
 * Request trailers over HTTP/2 against node:http2 (h2c with prior knowledge, and TLS with the
 * test PKI): the server records the header block, the body and the trailing HEADERS frame.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import { describe, test } from "node:test";
import { InvalidHeader, Session } from "../../src/index.ts";
import { makeTestPki } from "../peers/pki.ts";
import { startH2Server } from "./h2-server.ts";

interface Seen {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  trailers: IncomingHttpHeaders | null;
}

/** A stream handler answering 200 once the request's body and trailers were read. */
function recording(seen: Seen[]) {
  return (stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void => {
    const chunks: Buffer[] = [];
    let trailers: IncomingHttpHeaders | null = null;
    stream.on("trailers", (fields: IncomingHttpHeaders) => {
      trailers = fields;
    });
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => {
      // node:http2 also ends the readable side of a stream the client reset: that is no request.
      if (stream.closed || stream.destroyed) return;
      seen.push({
        path: String(headers[":path"]),
        headers,
        body: Buffer.concat(chunks).toString("latin1"),
        trailers,
      });
      stream.respond({ ":status": 200 });
      stream.end("ok");
    });
  };
}

/** Trailer fields without node's bookkeeping (pseudo-headers, the sensitive-headers symbol). */
const plain = (fields: IncomingHttpHeaders | null | undefined) =>
  fields ? Object.fromEntries(Object.entries(fields).filter(([k]) => !k.startsWith(":"))) : null;

/** Open TCP sockets of this process (client and server side). */
const openSockets = (): number =>
  process.getActiveResourcesInfo().filter((kind) => kind === "TCPSocketWrap" || kind === "TCPWRAP").length;

/** Waits (bounded by the test timeout, never asserted on time) until `check` holds. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe("request trailers over HTTP/2 (node:http2)", () => {
  test("h2c: bytes, no body and a streamed body with a checksum, on one connection", async () => {
    const seen: Seen[] = [];
    const server = await startH2Server(recording(seen));
    await using s = new Session({ disableHttp1: true, retries: false });
    try {
      const a = await s.post(`${server.url}/bytes`, {
        data: "hello",
        trailers: { "X-Checksum": "abc", "X-Multi": "1" },
      });
      assert.equal(a.httpVersion, 20);
      await s.get(`${server.url}/empty`, { trailers: { "Grpc-Status": "0", "Grpc-Message": "fine" } });

      const parts = ["a".repeat(70_000), "b".repeat(70_000)];
      const hash = createHash("sha256");
      await s.put(`${server.url}/stream`, {
        data: (async function* () {
          for (const part of parts) {
            hash.update(part);
            yield part;
          }
        })(),
        trailers: async () => ({ "Content-Digest": `sha-256=:${hash.digest("base64")}:` }),
      });

      const [bytes, empty, streamed] = seen;
      assert.equal(bytes?.body, "hello");
      assert.equal(bytes?.headers["content-length"], undefined);
      assert.equal(bytes?.headers.trailer, "X-Checksum, X-Multi");
      assert.deepEqual(plain(bytes?.trailers), { "x-checksum": "abc", "x-multi": "1" });
      assert.equal(empty?.body, "");
      assert.deepEqual(plain(empty?.trailers), { "grpc-status": "0", "grpc-message": "fine" });
      const expected = createHash("sha256").update(parts.join("")).digest("base64");
      assert.equal(streamed?.body.length, 140_000);
      assert.deepEqual(plain(streamed?.trailers), { "content-digest": `sha-256=:${expected}:` });
      assert.equal(server.sessions.length, 1);
    } finally {
      await server.close();
    }
  });

  test("TLS (ALPN h2): trailers arrive; an empty function answer ends the stream cleanly", async () => {
    const pki = makeTestPki();
    assert.ok(pki, "openssl is needed for the test PKI");
    const seen: Seen[] = [];
    const server = await startH2Server(recording(seen), { tls: { key: pki.leaf.key, cert: pki.leaf.cert } });
    await using s = new Session({ verify: pki.ca.cert, retries: false });
    try {
      const r = await s.post(`${server.url}/tls`, { json: { a: 1 }, trailers: { "X-Sig": "s1" } });
      assert.equal(r.httpVersion, 20);
      const empty = await s.post(`${server.url}/none`, { data: "x", trailers: () => ({}) });
      assert.equal(empty.text, "ok");
      assert.equal(seen[0]?.body, '{"a":1}');
      assert.equal(seen[0]?.headers["content-type"], "application/json");
      assert.deepEqual(plain(seen[0]?.trailers), { "x-sig": "s1" });
      assert.equal(seen[1]?.body, "x");
      assert.equal(plain(seen[1]?.trailers), null, "no trailer fields: the body just ends");
    } finally {
      await server.close();
      pki.remove();
    }
  });

  test("a trailers function answering a forbidden field resets the stream, the connection serves on", async () => {
    const sockets = openSockets();
    const seen: Seen[] = [];
    const server = await startH2Server(recording(seen));
    const s = new Session({ disableHttp1: true, retries: false });
    try {
      await assert.rejects(
        s.post(`${server.url}/bad`, { data: "x", trailers: () => ({ Cookie: "a=b" }) }),
        (e) => e instanceof InvalidHeader && e.code === "ERR_INVALID_HEADER",
      );
      const r = await s.get(`${server.url}/after`, { trailers: { "X-A": "1" } });
      assert.equal(r.text, "ok");
      assert.deepEqual(
        seen.map((x) => x.path),
        ["/after"],
        "the bad request never completed on the server",
      );
      assert.equal(server.sessions.length, 1);
    } finally {
      await s.close();
      await server.close();
    }
    await until(() => openSockets() <= sockets);
    assert.ok(openSockets() <= sockets, "no socket left open");
  });
});
