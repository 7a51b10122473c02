/**
 * Multiplexing on one HTTP/2 connection, scripted with in-process node:http2 servers:
 * `Session.gather()`, 103 Early Hints, refused server push, trailers, per-stream cancellation,
 * and no socket or timer left behind once the session is closed.
 */
import assert from "node:assert/strict";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import { BodyNotLoadedError, ConnectionError, Session, SSLError } from "../../src/index.ts";
import { makeTestPki } from "../peers/pki.ts";
import { handles } from "../support/open-handles.ts";
import { delay, startH2Server } from "./h2-server.ts";

describe("Session.gather()", () => {
  test("settles pending responses in order, loading at most maxFetch bodies", async () => {
    const server = await startH2Server((stream, headers) => {
      const path = String(headers[":path"]);
      if (path === "/fail") {
        stream.close(http2Cancel);
        return;
      }
      // Answer in reverse order of arrival: gather must still return argument order.
      setTimeout(
        () => {
          stream.respond({ ":status": 200 });
          stream.end(path);
        },
        100 - Number(path.slice(1)) * 5,
      );
    });
    const s = new Session({ disableHttp1: true, multiplexed: true, retries: false });
    try {
      const pending = Array.from({ length: 10 }, (_, i) => s.get(`${server.url}/${i}`, { stream: true }));
      const responses = await s.gather(...pending, { maxFetch: 3 });
      assert.deepEqual(
        responses.map((r) => r.url.split("/").pop()),
        ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
      );
      assert.deepEqual(
        responses.slice(0, 3).map((r) => r.text),
        ["/0", "/1", "/2"],
      );
      for (const r of responses.slice(3)) assert.throws(() => r.content, BodyNotLoadedError);
      await Promise.all(responses.slice(3).map((r) => r.close()));
      assert.equal(server.sessions.length, 1, "all on one connection");

      // Without arguments: every request of the session still in flight.
      for (let i = 0; i < 5; i++) void s.get(`${server.url}/${i}`);
      const all = await s.gather();
      assert.deepEqual(all.map((r) => r.text).sort(), ["/0", "/1", "/2", "/3", "/4"]);

      const mixed = [s.get(`${server.url}/1`), s.get(`${server.url}/fail`), s.get(`${server.url}/2`)];
      await assert.rejects(s.gather(...mixed), ConnectionError);
      await assert.rejects(s.gather({ maxFetch: -1 }), TypeError);
    } finally {
      await s.close();
      await server.close();
    }
  });
});

const http2Cancel = 8;

describe("one HTTP/2 connection", () => {
  test("103 Early Hints reach earlyResponse; trailers arrive; server push is refused", async () => {
    let pushError: unknown = null;
    const pki = makeTestPki();
    assert.ok(pki, "openssl is needed for the test PKI");
    const server = await startH2Server(
      (stream) => {
        try {
          stream.pushStream({ ":path": "/pushed" }, () => {});
        } catch (error) {
          // Our SETTINGS said ENABLE_PUSH = 0: node refuses to push at all.
          pushError = error;
        }
        stream.additionalHeaders({ ":status": 103, link: "</style.css>; rel=preload; as=style" });
        stream.respond({ ":status": 200, "content-type": "text/plain" }, { waitForTrailers: true });
        stream.on("wantTrailers", () => stream.sendTrailers({ "x-checksum": "abc" }));
        stream.end("body");
      },
      { tls: { key: pki.leaf.key, cert: pki.leaf.cert } },
    );
    const early: Array<[number, string | undefined]> = [];
    await using s = new Session({
      verify: pki.ca.cert,
      hooks: { earlyResponse: [(r) => void early.push([r.statusCode, r.links.preload?.url])] },
    });
    try {
      const r = await s.get(`${server.url}/page`);
      assert.equal(r.httpVersion, 20);
      assert.equal(r.text, "body");
      assert.equal(r.trailers.get("x-checksum"), "abc");
      assert.deepEqual(early, [[103, `${server.url}/style.css`]]);
      assert.equal((pushError as NodeJS.ErrnoException | null)?.code, "ERR_HTTP2_PUSH_DISABLED");
    } finally {
      await server.close();
      pki.remove();
    }
  });

  test("cancelling one stream (close, abort) leaves the connection serving the others", async () => {
    const server = await startH2Server((stream, headers) => {
      if (headers[":path"] === "/hang") return;
      stream.respond({ ":status": 200 });
      stream.end(Buffer.alloc(512 * 1024, 1));
    });
    await using s = new Session({ disableHttp1: true, retries: false });
    try {
      const streamed = await s.get(`${server.url}/big`, { stream: true });
      await streamed.close();
      const controller = new AbortController();
      const hanging = s.get(`${server.url}/hang`, { signal: controller.signal });
      await delay(30);
      const reason = new Error("user gave up");
      controller.abort(reason);
      await assert.rejects(hanging, (e) => e === reason);
      const r = await s.get(`${server.url}/big`);
      assert.equal(r.content?.byteLength, 512 * 1024);
      assert.equal(r.connInfo?.reused, true);
      assert.equal(server.sessions.length, 1);
    } finally {
      await server.close();
    }
  });

  test("closing the session leaves no socket or timer behind", async () => {
    const server = await startH2Server((stream) => {
      stream.respond({ ":status": 200 });
      stream.end("ok");
    });
    await delay(20);
    const before = handles();
    const s = new Session({ disableHttp1: true });
    await Promise.all(Array.from({ length: 10 }, () => s.get(`${server.url}/x`)));
    await s.close();
    await delay(50);
    // The server's own accepted socket closes when our side goes away.
    assert.deepEqual(handles(), before);
    await server.close();
  });
});

describe("an HTTPS origin that only speaks HTTP/1.1", () => {
  test("concurrent first requests still get their own connections once ALPN says http/1.1", async () => {
    const pki = makeTestPki();
    assert.ok(pki, "openssl is needed for the test PKI");
    const server = https.createServer({ key: pki.leaf.key, cert: pki.leaf.cert }, (_req, res) => {
      setTimeout(() => res.end("h1"), 50);
    });
    let connections = 0;
    server.on("secureConnection", () => connections++);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `https://localhost:${(server.address() as AddressInfo).port}/`;
    try {
      await using s = new Session({ verify: pki.ca.cert, retries: false });
      const all = await Promise.all(Array.from({ length: 5 }, () => s.get(url)));
      assert.ok(all.every((r) => r.text === "h1" && r.httpVersion === 11));
      assert.equal(connections, 5, "one HTTP/1.1 connection per concurrent request");
      await using h2only = new Session({ verify: pki.ca.cert, retries: false, disableHttp1: true });
      const error = await h2only.get(url).catch((e: unknown) => e);
      // node's https server answers an h2-only ALPN offer with a no_application_protocol alert.
      assert.ok(error instanceof SSLError, String(error));
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      pki.remove();
    }
  });
});
