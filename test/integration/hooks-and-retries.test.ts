/**
 * Hooks and retries where a scripted server is needed: 103 Early Hints, Retry-After, failing
 * progress hooks, retries after a refused connection.
 */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import { HookError, type Response, RetryConfiguration, Session } from "../../src/index.ts";

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

describe("hooks and retries with a scripted server", () => {
  test("103 Early Hints reaches earlyResponse hooks before the final response", async () => {
    const server = await serve((_req, res) => {
      res.writeEarlyHints({ link: "</style.css>; rel=preload; as=style" });
      setTimeout(() => res.end("final"), 20);
    });
    const early: Response[] = [];
    const s = new Session();
    const r = await s.get(server.url, { hooks: { earlyResponse: (e) => void early.push(e) } });
    assert.equal(r.text, "final");
    assert.equal(early.length, 1);
    assert.equal(early[0]!.statusCode, 103);
    assert.equal(early[0]!.headers.get("link"), "</style.css>; rel=preload; as=style");
    assert.equal(early[0]!.links.preload?.url, `${server.url}/style.css`);
    await s.close();
    await server.close();
  });

  test("503 with Retry-After is retried after the delay the server asked for", async () => {
    const arrivals: number[] = [];
    const server = await serve((_req, res) => {
      arrivals.push(performance.now());
      if (arrivals.length === 1) res.writeHead(503, { "Retry-After": "1" }).end("busy");
      else res.end("done");
    });
    const s = new Session({ retries: new RetryConfiguration({ total: 2 }) });
    const r = await s.get(server.url);
    assert.equal(r.text, "done");
    assert.equal(arrivals.length, 2);
    assert.ok(arrivals[1]! - arrivals[0]! >= 950, `waited ${arrivals[1]! - arrivals[0]!} ms`);
    await s.close();
    await server.close();
  });

  test("a malformed Retry-After is an InvalidHeader, not a guess", async () => {
    const server = await serve((_req, res) => res.writeHead(429, { "Retry-After": "tomorrow" }).end());
    const s = new Session({ retries: 3 });
    await assert.rejects(s.get(server.url), { code: "ERR_INVALID_HEADER" });
    await s.close();
    await server.close();
  });

  test("an onUpload hook that throws fails the request with a HookError", async () => {
    const server = await serve((req, res) => {
      req.resume();
      req.on("end", () => res.end("ok"));
    });
    const s = new Session();
    async function* body() {
      for (let i = 0; i < 50; i++) {
        yield new Uint8Array(16 * 1024);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    const error = await s
      .post(server.url, {
        data: body(),
        hooks: {
          onUpload: (p) => {
            if (p.sent > 64 * 1024) throw new Error("quota exceeded");
          },
        },
      })
      .catch((e: unknown) => e);
    assert.ok(error instanceof HookError, String(error));
    assert.equal(error.event, "onUpload");
    await s.close();
    await server.close();
  });

  test("POST is not replayed after the server dropped it; GET is, when allowed", async () => {
    let hits = 0;
    const server = await serve((req, res) => {
      hits++;
      if (hits === 1) req.socket.destroy();
      else res.end("second");
    });
    const s = new Session({ retries: new RetryConfiguration({ total: 1 }) });
    await assert.rejects(s.post(server.url, { data: "x" }), { code: "ERR_CONNECTION" });
    assert.equal(hits, 1);
    hits = 0;
    assert.equal((await s.get(server.url)).text, "second");
    assert.equal(hits, 2);
    await s.close();
    await server.close();
  });
});
