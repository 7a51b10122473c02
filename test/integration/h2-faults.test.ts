/**
 * HTTP/2 faults scripted with in-process node:http2 servers: GOAWAY mid-flight, REFUSED_STREAM,
 * a stalled stream, a small SETTINGS_MAX_CONCURRENT_STREAMS under load, PING keep-alive and idle
 * close. Cleartext h2 (prior knowledge, `disableHttp1`) unless TLS matters.
 */
import assert from "node:assert/strict";
import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { describe, test } from "node:test";
import {
  ChunkedEncodingError,
  ConnectionError,
  ReadTimeout,
  RequestException,
  Session,
} from "../../src/index.ts";
import { delay, readBody, startH2Server } from "./h2-server.ts";

const { NGHTTP2_REFUSED_STREAM, NGHTTP2_NO_ERROR, NGHTTP2_INTERNAL_ERROR } = http2.constants;

async function until(condition: () => boolean, ms: number, what: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(what());
    await delay(10);
  }
}

function h2cSession(extra: ConstructorParameters<typeof Session>[0] = {}): Session {
  return new Session({ disableHttp1: true, retries: false, ...extra });
}

describe("GOAWAY", () => {
  test("streams above the last stream id are replayed on a new connection, POSTs included", async () => {
    const seen: string[] = [];
    let first = true;
    const server = await startH2Server((stream, headers) => {
      const path = String(headers[":path"]);
      if (path === "/warm") {
        stream.respond({ ":status": 200 });
        stream.end("warm");
        return;
      }
      readBody(stream).then((body) => {
        seen.push(`${path}:${body}`);
        const session = stream.session!;
        if (first && seen.length === 3) {
          first = false;
          // Keep only the lowest of the three: the others were never processed.
          const ids = [...pending.keys()].sort((a, b) => a - b);
          session.goaway(NGHTTP2_NO_ERROR, ids[0]);
          const keep = pending.get(ids[0]!)!;
          keep.respond({ ":status": 200 });
          keep.end(`done ${keep.id}`);
          return;
        }
        if (!first) {
          stream.respond({ ":status": 200 });
          stream.end(`done ${stream.id}`);
        }
      });
      pending.set(stream.id!, stream);
    });
    const pending = new Map<number, http2.ServerHttp2Stream>();
    await using s = h2cSession();
    try {
      await s.get(`${server.url}/warm`);
      const results = await Promise.all(
        ["a", "b", "c"].map((name) => s.post(`${server.url}/${name}`, { data: `body-${name}` })),
      );
      assert.deepEqual(
        results.map((r) => r.statusCode),
        [200, 200, 200],
      );
      assert.equal(server.sessions.length, 2, "the unprocessed requests went over a second connection");
      // One answer came over the first connection; the two replays over the fresh one.
      assert.deepEqual(results.map((r) => r.connInfo?.reused).sort(), [false, false, true]);
      // a, b and c reached the server, two of them twice (refused once, then processed).
      assert.equal(seen.length, 5);
      assert.deepEqual([...new Set(seen)].sort(), ["/a:body-a", "/b:body-b", "/c:body-c"]);
    } finally {
      await server.close();
    }
  });

  test("a GOAWAY with an error that cuts a processed response fails it with a clear ConnectionError", async () => {
    const server = await startH2Server((stream) => {
      stream.respond({ ":status": 200 });
      stream.write("partial ");
      setTimeout(() => {
        stream.session?.goaway(NGHTTP2_INTERNAL_ERROR, stream.id);
        setTimeout(() => stream.session?.destroy(), 20);
      }, 20);
    });
    await using s = h2cSession();
    try {
      const error = await s.get(`${server.url}/x`).catch((e: unknown) => e);
      assert.ok(error instanceof ConnectionError, String(error));
      assert.match(error.message, /GOAWAY error code 2/);
    } finally {
      await server.close();
    }
  });
});

describe("connections the server ends", () => {
  test("an idle connection the server shuts down (GOAWAY, then close) is replaced quietly", async () => {
    const server = await startH2Server((stream) => {
      stream.respond({ ":status": 200 });
      stream.end("ok");
      const session = stream.session!;
      stream.once("close", () => {
        session.goaway(NGHTTP2_NO_ERROR, stream.id);
        setTimeout(() => session.destroy(), 10);
      });
    });
    await using s = h2cSession();
    try {
      const first = await s.get(`${server.url}/a`);
      await delay(50);
      const second = await s.get(`${server.url}/b`);
      assert.equal(first.text, "ok");
      assert.equal(second.text, "ok");
      assert.equal(second.connInfo?.reused, false);
      assert.equal(server.sessions.length, 2);
    } finally {
      await server.close();
    }
  });

  test("a socket cut mid-body fails that response; the next request gets a new connection", async () => {
    let count = 0;
    const server = await startH2Server((stream) => {
      count++;
      stream.respond({ ":status": 200 });
      if (count === 1) {
        stream.write("partial");
        setTimeout(() => server.cutSockets(), 20);
        return;
      }
      stream.end("whole");
    });
    await using s = h2cSession();
    try {
      const error = await s.get(`${server.url}/cut`).catch((e: unknown) => e);
      assert.ok(error instanceof RequestException, String(error));
      assert.ok(error instanceof ConnectionError || error instanceof ChunkedEncodingError, String(error));
      const next = await s.get(`${server.url}/next`);
      assert.equal(next.text, "whole");
      assert.equal(server.sessions.length, 2);
    } finally {
      await server.close();
    }
  });
});

describe("RST_STREAM mid-body", () => {
  test("a stream reset with an error after its head fails that body only", async () => {
    const server = await startH2Server((stream, headers) => {
      stream.respond({ ":status": 200 });
      if (headers[":path"] === "/reset") {
        stream.write("partial");
        // destroy(error) resets at once with INTERNAL_ERROR (close(code) would first end the data).
        setTimeout(() => stream.destroy(new Error("handler failed")), 20);
        return;
      }
      stream.end("fine");
    });
    await using s = h2cSession();
    try {
      const error = await s.get(`${server.url}/reset`).catch((e: unknown) => e);
      assert.ok(error instanceof ChunkedEncodingError, String(error));
      assert.match(error.message, /RST_STREAM code 2/);
      const next = await s.get(`${server.url}/ok`);
      assert.equal(next.text, "fine");
      assert.equal(next.connInfo?.reused, true);
      assert.equal(server.sessions.length, 1);
    } finally {
      await server.close();
    }
  });
});

describe("RST_STREAM REFUSED_STREAM", () => {
  test("a refused stream is sent again transparently (any method, replayable body)", async () => {
    let attempts = 0;
    const server = await startH2Server((stream) => {
      attempts++;
      if (attempts === 1) {
        stream.close(NGHTTP2_REFUSED_STREAM);
        return;
      }
      readBody(stream).then((body) => {
        stream.respond({ ":status": 200 });
        stream.end(`got ${body}`);
      });
    });
    await using s = h2cSession();
    try {
      const r = await s.post(`${server.url}/p`, { data: "payload" });
      assert.equal(r.text, "got payload");
      assert.equal(attempts, 2);
    } finally {
      await server.close();
    }
  });

  test("a server that always refuses gives up after a few replays, with a stable code", async () => {
    const server = await startH2Server((stream) => stream.close(NGHTTP2_REFUSED_STREAM));
    await using s = h2cSession();
    try {
      const error = await s.get(`${server.url}/p`).catch((e: unknown) => e);
      assert.ok(error instanceof ConnectionError, String(error));
      assert.equal(error.code, "ERR_REQUEST_NOT_PROCESSED");
      assert.equal(server.streams, 4);
    } finally {
      await server.close();
    }
  });

  test("a one-shot stream body is not replayed", async () => {
    const server = await startH2Server((stream) => stream.close(NGHTTP2_REFUSED_STREAM));
    await using s = h2cSession();
    try {
      const body = Readable.from([Buffer.from("once")]);
      const error = await s.post(`${server.url}/p`, { data: body }).catch((e: unknown) => e);
      assert.ok(error instanceof ConnectionError, String(error));
      assert.equal(server.streams, 1);
    } finally {
      await server.close();
    }
  });
});

describe("a stalled stream", () => {
  test("times out on its own; the connection keeps serving other streams", async () => {
    const server = await startH2Server((stream, headers) => {
      const path = headers[":path"];
      if (path === "/stall") return;
      if (path === "/stall-body") {
        stream.respond({ ":status": 200 });
        stream.write("first bytes");
        return;
      }
      stream.respond({ ":status": 200 });
      stream.end("fine");
    });
    await using s = h2cSession({ timeout: { connect: 2000, read: 400 } });
    try {
      await s.get(`${server.url}/ok`);
      const [stalled, fine] = await Promise.allSettled([
        s.get(`${server.url}/stall`),
        s.get(`${server.url}/ok`),
      ]);
      assert.equal(stalled.status, "rejected");
      assert.ok((stalled as PromiseRejectedResult).reason instanceof ReadTimeout);
      assert.equal(fine.status, "fulfilled");
      const streamed = await s.get(`${server.url}/stall-body`, { stream: true });
      const chunks = streamed.iterRaw()[Symbol.asyncIterator]();
      assert.equal(Buffer.from((await chunks.next()).value as Uint8Array).toString(), "first bytes");
      await assert.rejects(chunks.next(), ReadTimeout);
      const after = await s.get(`${server.url}/ok`);
      assert.equal(after.text, "fine");
      assert.equal(after.connInfo?.reused, true);
      assert.equal(server.sessions.length, 1, "one connection throughout");
    } finally {
      await server.close();
    }
  });
});

describe("SETTINGS_MAX_CONCURRENT_STREAMS = 2 with 50 concurrent requests", () => {
  const handler = (
    stream: http2.ServerHttp2Stream,
    _headers: http2.IncomingHttpHeaders,
    index: number,
  ): void => {
    setTimeout(() => {
      stream.respond({ ":status": 200 });
      stream.end(`r${index}`);
    }, 10);
  };

  test("the limit is respected; more connections open only as the first ones saturate", async () => {
    const server = await startH2Server(handler, { settings: { maxConcurrentStreams: 2 } });
    await using s = h2cSession({ poolMaxsize: 4 });
    try {
      await s.get(`${server.url}/warm`);
      const all = await Promise.all(Array.from({ length: 50 }, () => s.get(`${server.url}/x`)));
      assert.ok(all.every((r) => r.statusCode === 200));
      assert.equal(server.maxConcurrent, 2);
      assert.ok(
        server.sessions.length >= 2 && server.sessions.length <= 4,
        `${server.sessions.length} sessions`,
      );
    } finally {
      await server.close();
    }
  });

  test("multiplexed: true keeps one connection and queues for its streams", async () => {
    const server = await startH2Server(handler, { settings: { maxConcurrentStreams: 2 } });
    await using s = h2cSession({ multiplexed: true });
    try {
      const all = await Promise.all(Array.from({ length: 50 }, () => s.get(`${server.url}/x`)));
      assert.ok(all.every((r) => r.statusCode === 200));
      assert.equal(new Set(all.map((r) => r.text)).size, 50);
      assert.equal(server.maxConcurrent, 2);
      assert.equal(server.sessions.length, 1);
    } finally {
      await server.close();
    }
  });
});

describe("keep-alive", () => {
  test("an idle connection PINGs every keepaliveIdleWindow and closes after keepaliveDelay", async () => {
    const server = await startH2Server((stream) => {
      stream.respond({ ":status": 200 });
      stream.end("ok");
    });
    await using s = h2cSession({ keepaliveIdleWindow: 60, keepaliveDelay: 400 });
    try {
      await s.get(`${server.url}/a`);
      // Polled, not timed: a loaded machine delays timers but must not fail the test.
      await until(
        () => server.pings >= 2,
        5000,
        () => `${server.pings} pings`,
      );
      await until(
        () => server.closedSessions === 1,
        5000,
        () => "the idle connection never closed",
      );
      const again = await s.get(`${server.url}/b`);
      assert.equal(again.connInfo?.reused, false);
      assert.equal(server.sessions.length, 2);
    } finally {
      await server.close();
    }
  });
});

describe("h2c with prior knowledge", () => {
  test("an HTTP/1.1-only server is a clear ConnectionError, nothing left open", async () => {
    const server = http.createServer((_req, res) => res.end("h1 only"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    await using s = h2cSession({ timeout: 3000 });
    try {
      const { port } = server.address() as AddressInfo;
      const error = await s.get(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
      assert.ok(error instanceof ConnectionError, String(error));
      assert.match(error.message, /did not answer in HTTP\/2/);
      assert.equal(error.code, "ERR_PROTOCOL");
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("an early response", () => {
  test("a response that ends before the upload does frees the stream slot", async () => {
    const server = await startH2Server(
      (stream, headers) => {
        if (headers[":path"] === "/upload") {
          stream.respond({ ":status": 413 });
          stream.end("too large");
          return;
        }
        stream.respond({ ":status": 200 });
        stream.end("next");
      },
      { settings: { maxConcurrentStreams: 1 } },
    );
    // One connection, one stream at a time: a leaked slot would make the next request wait forever.
    // (node:http2 servers also reset the half-read stream; the client ends its half either way.)
    await using s = h2cSession({ multiplexed: true, timeout: 5000 });
    try {
      async function* endless(): AsyncGenerator<Uint8Array> {
        for (;;) yield new Uint8Array(64 * 1024);
      }
      const r = await s.post(`${server.url}/upload`, { data: endless() });
      assert.equal(r.statusCode, 413);
      const next = await s.get(`${server.url}/next`);
      assert.equal(next.text, "next");
      assert.equal(server.sessions.length, 1);
    } finally {
      await server.close();
    }
  });
});
