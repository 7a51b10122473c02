/**
 * Request trailers over HTTP/1.1 against node:http, whose parser exposes what a server read:
 * `req.trailers` after the body, the framing headers, and the connections it accepted.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import http, { type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import { InvalidHeader, RequestException, Session } from "../../src/index.ts";

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  trailers: Record<string, string | undefined>;
}

interface EchoServer {
  url: string;
  seen: Seen[];
  readonly connections: number;
  close(): Promise<void>;
}

/** Answers every request with 200 after its body and trailers were read; `/redirect` with a 307. */
async function startEcho(): Promise<EchoServer> {
  const seen: Seen[] = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      seen.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("latin1"),
        trailers: { ...req.trailers },
      });
      if (req.url === "/redirect") res.writeHead(307, { Location: "/final", "Content-Length": "0" }).end();
      else res.end("ok");
    });
    req.on("error", () => {});
  });
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Yields `parts` while hashing them, as a caller computing a checksum of its upload would. */
function hashed(parts: string[]): { body: AsyncIterable<string>; digest: () => string } {
  const hash = createHash("sha256");
  let digest = "";
  return {
    body: (async function* () {
      for (const part of parts) {
        hash.update(part);
        yield part;
      }
      digest = hash.digest("base64");
    })(),
    digest: () => digest,
  };
}

/** Open TCP sockets of this process (client and server side). */
const openSockets = (): number =>
  process.getActiveResourcesInfo().filter((kind) => kind === "TCPSocketWrap" || kind === "TCPWRAP").length;

/** Waits (bounded by the test timeout, never asserted on time) until `check` holds. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe("request trailers over HTTP/1.1 (node:http)", () => {
  test("bytes body of known length: chunked, no Content-Length, Trailer announced, fields read", async () => {
    const server = await startEcho();
    await using s = new Session({ retries: false });
    try {
      const r = await s.post(`${server.url}/up`, {
        data: "hello world",
        trailers: { "X-Checksum": "abc", "X-Count": 11 },
      });
      assert.equal(r.text, "ok");
      const got = server.seen[0]!;
      assert.equal(got.body, "hello world");
      assert.equal(got.headers["transfer-encoding"], "chunked");
      assert.equal(got.headers["content-length"], undefined);
      assert.equal(got.headers.trailer, "X-Checksum, X-Count");
      assert.deepEqual(got.trailers, { "x-checksum": "abc", "x-count": "11" });
    } finally {
      await server.close();
    }
  });

  test("a streamed body with a checksum trailer computed once it was sent", async () => {
    const server = await startEcho();
    await using s = new Session({ retries: false });
    try {
      const parts = ["first part, ", "second part, ", "x".repeat(100_000)];
      const upload = hashed(parts);
      await s.put(`${server.url}/file`, {
        data: upload.body,
        trailers: () => ({ "Content-Digest": `sha-256=:${upload.digest()}:` }),
      });
      const got = server.seen[0]!;
      const expected = createHash("sha256").update(parts.join("")).digest("base64");
      assert.equal(got.body, parts.join(""));
      assert.equal(got.trailers["content-digest"], `sha-256=:${expected}:`);
      assert.equal(got.headers.trailer, undefined, "a function's names are not known up front");
    } finally {
      await server.close();
    }
  });

  test("no body: an empty chunked body with the trailer section; the connection is reused after", async () => {
    const server = await startEcho();
    await using s = new Session({ retries: false });
    try {
      await s.get(`${server.url}/a`, { trailers: { "Grpc-Status": "0" } });
      await s.post(`${server.url}/b`, { data: "x", trailers: async () => ({ "X-Async": "yes" }) });
      await s.get(`${server.url}/c`);
      const [a, b, c] = server.seen;
      assert.equal(a?.body, "");
      assert.equal(a?.headers["transfer-encoding"], "chunked");
      assert.deepEqual(a?.trailers, { "grpc-status": "0" });
      assert.deepEqual(b?.trailers, { "x-async": "yes" });
      assert.deepEqual(c?.trailers, {});
      assert.equal(server.connections, 1, "framing was right: one kept-alive connection served all three");
    } finally {
      await server.close();
    }
  });

  test("a 307 from the server replays the body and the trailers (the function is called again)", async () => {
    const server = await startEcho();
    await using s = new Session({ retries: false });
    let calls = 0;
    try {
      const r = await s.post(`${server.url}/redirect`, {
        data: "payload",
        trailers: () => ({ "X-Attempt": ++calls }),
      });
      assert.equal(r.statusCode, 200);
      assert.deepEqual(
        server.seen.map((x) => [x.url, x.body, x.trailers["x-attempt"]]),
        [
          ["/redirect", "payload", "1"],
          ["/final", "payload", "2"],
        ],
      );
    } finally {
      await server.close();
    }
  });

  test("invalid trailers are an InvalidHeader before any connection is made", async () => {
    const server = await startEcho();
    await using s = new Session({ retries: false });
    try {
      for (const trailers of [{ "X-A": "1\r\nX-Injected: 1" }, { "Content-Length": "0" }, { Host: "x" }]) {
        await assert.rejects(
          s.post(`${server.url}/`, { data: "x", trailers }),
          (e) => e instanceof InvalidHeader && e.code === "ERR_INVALID_HEADER",
        );
      }
      assert.equal(server.connections, 0);
    } finally {
      await server.close();
    }
  });

  test("a failing trailers function fails the request and costs the connection, not the session", async () => {
    const sockets = openSockets();
    const server = await startEcho();
    const s = new Session({ retries: false });
    try {
      await assert.rejects(
        s.post(`${server.url}/`, { data: "x", trailers: () => ({ "X-A": "bad\nvalue" }) }),
        (e) => e instanceof InvalidHeader,
      );
      const cause = new Error("boom");
      await assert.rejects(
        s.post(`${server.url}/`, {
          data: "x",
          trailers: async () => {
            throw cause;
          },
        }),
        (e) => e instanceof RequestException && e.cause === cause,
      );
      assert.equal(server.seen.length, 0, "the server never saw a complete request");
      const r = await s.get(`${server.url}/after`);
      assert.equal(r.text, "ok");
      assert.equal(server.seen.length, 1);
    } finally {
      await s.close();
      await server.close();
    }
    await until(() => openSockets() <= sockets);
    assert.ok(openSockets() <= sockets, "no socket left open");
  });
});
