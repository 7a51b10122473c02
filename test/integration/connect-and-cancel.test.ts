/**
 * Connect failures, timeouts and cancellation, each checked for leaks: after the error no
 * socket and no timer of ours may be left behind.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConnectionError, ConnectTimeout, ReadTimeout, Session, Timeout } from "../../src/index.ts";
import { handles, settle, unusedPort } from "../support/open-handles.ts";
import { startBlackhole } from "./blackhole.ts";
import { startRawServer } from "./raw-server.ts";

/** Counts of live sockets and timers, to compare before and after. */
describe("connecting and cancelling", () => {
  test("connection refused is a ConnectionError with the Node error as cause", async () => {
    const port = await unusedPort();
    const s = new Session();
    await settle();
    const before = handles();
    const error = await s.get(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    assert.ok(error instanceof ConnectionError, String(error));
    assert.equal(error.code, "ERR_CONNECTION");
    assert.equal((error.cause as NodeJS.ErrnoException).code, "ECONNREFUSED");
    assert.equal(error.request?.url, `http://127.0.0.1:${port}/`);
    await settle();
    assert.deepEqual(handles(), before);
    await s.close();
  });

  test("a connect that hangs hits the connect timeout, leaving nothing behind", async () => {
    const hole = await startBlackhole();
    const s = new Session();
    await settle();
    const before = handles();
    const error = await s
      .get(`http://127.0.0.1:${hole.port}/`, { timeout: { connect: 200, read: 5000 } })
      .catch((e: unknown) => e);
    assert.ok(error instanceof ConnectTimeout, String(error));
    assert.ok(error instanceof ConnectionError);
    assert.ok(error instanceof Timeout);
    assert.equal(error.code, "ERR_CONNECT_TIMEOUT");
    await settle();
    assert.deepEqual(handles(), before);
    await s.close();
    hole.close();
  });

  test("abort during connect rejects with the reason and closes the socket", async () => {
    const hole = await startBlackhole();
    const s = new Session();
    await settle();
    const before = handles();
    const reason = new Error("cancelled while connecting");
    const pending = s.get(`http://127.0.0.1:${hole.port}/`, { signal: controllerAfter(100, reason) });
    await assert.rejects(pending, (e) => e === reason);
    await settle();
    assert.deepEqual(handles(), before);
    await s.close();
    hole.close();
  });

  test("abort while queued for a pooled connection leaves the queue", async () => {
    let release: (() => void) | null = null;
    const server = await startRawServer(async (conn) => {
      for (;;) {
        await conn.nextRequest();
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        conn.socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      }
    });
    const s = new Session({ poolMaxsize: 1 });
    const first = s.get(server.url);
    await settle();
    const reason = new Error("no longer needed");
    const queued = s.get(server.url, { signal: controllerAfter(20, reason) });
    await assert.rejects(queued, (e) => e === reason);
    (release as (() => void) | null)?.();
    assert.equal((await first).text, "ok");
    const third = s.get(server.url);
    await settle();
    (release as (() => void) | null)?.();
    assert.equal((await third).text, "ok");
    assert.equal(server.connections, 1);
    await s.close();
    await server.close();
  });

  test("a read timeout closes the connection and clears its timers", async () => {
    const server = await startRawServer(async (conn) => {
      await conn.nextRequest();
      conn.socket.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
    });
    const s = new Session();
    await settle();
    const before = handles();
    const r = await s.get(server.url, { stream: true, timeout: 150 });
    await assert.rejects(r.load(), ReadTimeout);
    await settle();
    assert.deepEqual(handles(), before);
    await s.close();
    await server.close();
  });
});

function controllerAfter(ms: number, reason: unknown): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(reason), ms);
  return controller.signal;
}
