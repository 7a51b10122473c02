/**
 * Faults only a scripted server can produce: resets, truncation, bad framing, idle closes.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import {
  ChunkedEncodingError,
  ConnectionError,
  ContentDecodingError,
  ProtocolError,
  Session,
} from "../../src/index.ts";
import { startRawServer } from "./raw-server.ts";

const OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

describe("HTTP/1.1 faults", () => {
  test("reset in the middle of the body is a ChunkedEncodingError or ConnectionError", async () => {
    const server = await startRawServer(async (conn) => {
      await conn.nextRequest();
      conn.socket.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial");
      setTimeout(() => conn.socket.resetAndDestroy(), 20);
    });
    const s = new Session();
    const error = await s.get(server.url).catch((e: unknown) => e);
    assert.ok(error instanceof ConnectionError || error instanceof ChunkedEncodingError, String(error));
    await s.close();
    await server.close();
  });

  test("truncated chunked body is a ChunkedEncodingError", async () => {
    const server = await startRawServer(async (conn) => {
      await conn.nextRequest();
      conn.socket.end("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel");
    });
    const s = new Session();
    await assert.rejects(s.get(server.url), ChunkedEncodingError);
    await s.close();
    await server.close();
  });

  test("a body shorter than Content-Length is an error, never a short success", async () => {
    const server = await startRawServer(async (conn) => {
      await conn.nextRequest();
      conn.socket.end("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort");
    });
    const s = new Session();
    await assert.rejects(s.get(server.url), ChunkedEncodingError);
    await s.close();
    await server.close();
  });

  test("Content-Length with Transfer-Encoding is a ProtocolError", async () => {
    const server = await startRawServer(async (conn) => {
      await conn.nextRequest();
      conn.socket.end("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    });
    const s = new Session();
    const error = await s.get(server.url).catch((e: unknown) => e);
    assert.ok(error instanceof ProtocolError, String(error));
    assert.equal((error as ProtocolError).code, "ERR_PROTOCOL");
    await s.close();
    await server.close();
  });

  test("a kept-alive connection the server closed while idle is replaced transparently", async () => {
    let served = 0;
    const server = await startRawServer(async (conn) => {
      await conn.nextRequest();
      served++;
      conn.socket.write(OK);
      // Close the idle connection right after answering, without saying so.
      setTimeout(() => conn.socket.destroy(), 30);
    });
    const s = new Session();
    assert.equal((await s.get(server.url)).text, "ok");
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = await s.get(server.url);
    assert.equal(second.text, "ok");
    assert.equal(second.connInfo?.reused, false);
    assert.equal(served, 2);
    assert.equal(server.connections, 2);
    await s.close();
    await server.close();
  });

  test("a stale connection is not replayed for POST", async () => {
    const server = await startRawServer(async (conn) => {
      const { head } = await conn.nextRequest();
      conn.socket.write(OK);
      if (head.startsWith("GET")) {
        // Keep the socket open, then vanish before the POST is answered.
        await conn.nextRequest();
        conn.socket.destroy();
      }
    });
    const s = new Session();
    await s.get(server.url);
    const error = await s.post(server.url, { data: "x" }).catch((e: unknown) => e);
    assert.ok(error instanceof ConnectionError, String(error));
    assert.equal(server.connections, 1);
    await s.close();
    await server.close();
  });

  test("corrupt gzip is a ContentDecodingError; a decompression cap stops a bomb", async () => {
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024));
    const server = createServer((req, res) => {
      res.setHeader("Content-Encoding", "gzip");
      res.end(req.url === "/bomb" ? bomb : Buffer.from("definitely not gzip"));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const s = new Session({ maxDecompressedSize: 1024 * 1024 });
    await assert.rejects(s.get(`${url}/corrupt`), ContentDecodingError);
    await assert.rejects(s.get(`${url}/bomb`), ContentDecodingError);
    await s.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test("abort mid-body rejects with the reason and frees the connection", async () => {
    const server = await startRawServer(async (conn) => {
      await conn.nextRequest();
      conn.socket.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nstart");
    });
    const s = new Session();
    const controller = new AbortController();
    const r = await s.get(server.url, { stream: true, signal: controller.signal });
    const reason = new Error("user gave up");
    setTimeout(() => controller.abort(reason), 20);
    await assert.rejects(r.load(), (e) => e === reason);
    await s.close();
    await server.close();
  });

  test("poolMaxsize bounds connections per origin; the rest wait their turn", async () => {
    const server = await startRawServer(async (conn) => {
      for (;;) {
        await conn.nextRequest();
        await new Promise((resolve) => setTimeout(resolve, 5));
        conn.socket.write(OK);
      }
    });
    const s = new Session({ poolMaxsize: 3 });
    const responses = await Promise.all(Array.from({ length: 20 }, () => s.get(server.url)));
    assert.ok(responses.every((r) => r.text === "ok"));
    assert.equal(server.connections, 3);
    await s.close();
    await server.close();
  });

  test("103 Early Hints is surfaced before the final response", async () => {
    const server = await startRawServer(async (conn) => {
      await conn.nextRequest();
      conn.socket.write("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n");
      conn.socket.write(OK);
    });
    const { HttpTransport } = await import("../../src/transport/http-transport.ts");
    const transport = new HttpTransport();
    const seen: number[] = [];
    const response = await transport.handle(
      { method: "GET", url: new URL(server.url), headers: [["Host", "x"]], body: null },
      {
        connectTimeout: 1000,
        readTimeout: 1000,
        signal: null,
        tls: { verify: true, cert: null },
        onInformational: (info) => seen.push(info.status),
        onUpload: null,
        beforeSend: null,
      },
    );
    assert.deepEqual(seen, [103]);
    assert.equal(response.status, 200);
    await transport.close();
    await server.close();
  });
});
