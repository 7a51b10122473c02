/**
 * Retries and hooks against real httpbin.
 */
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { after, describe, test } from "node:test";
import { RetryConfiguration, RetryError, Session, type UploadProgress } from "../../src/index.ts";
import { startHttpbin } from "../peers/httpbin.ts";
import { requirePeer } from "../peers/require-peer.ts";

const httpbin = await requirePeer("httpbin", startHttpbin);
const base = httpbin?.url ?? "http://127.0.0.1:9";
after(() => httpbin?.stop());

describe("httpbin: retries and hooks", {
  skip: httpbin ? false : "httpbin (gunicorn) is not installed",
}, () => {
  test("/status/503 is retried per statusForcelist, then RetryError with the last response", async () => {
    let sent = 0;
    const s = new Session({ baseUrl: base, hooks: { preSend: () => void sent++ } });
    const retries = new RetryConfiguration({ total: 3, status: 2, statusForcelist: [503] });
    const error = await s.get("/status/503", { retries }).catch((e: unknown) => e);
    assert.ok(error instanceof RetryError, String(error));
    assert.equal(error.response?.statusCode, 503);
    assert.equal(sent, 3);
    sent = 0;
    const kept = await s.get("/status/503", {
      retries: new RetryConfiguration({ status: 1, statusForcelist: [503], raiseOnStatus: false }),
    });
    assert.equal(kept.statusCode, 503);
    assert.equal(sent, 2);
    await s.close();
  });

  test("hooks run in Niquests order, with replacement", async () => {
    const order: string[] = [];
    const s = new Session({
      baseUrl: base,
      hooks: {
        preRequest: (p) => {
          order.push(`preRequest:${p.headers.has("Authorization")}`);
        },
        preSend: (p) => {
          order.push(`preSend:${p.connInfo?.destinationAddress?.[0]}`);
          p.headers.set("X-Added-In-PreSend", "yes");
        },
        onUpload: (progress) => {
          if (progress.done) order.push("onUpload:done");
        },
        response: (r) => {
          order.push(`response:${r.statusCode}`);
        },
      },
    });
    const r = await s.post("/redirect-to", {
      params: { url: "/anything", status_code: 307 },
      data: "x",
      auth: ["u", "p"],
    });
    assert.deepEqual(order, [
      "preRequest:false",
      "preSend:127.0.0.1",
      "onUpload:done",
      "response:307",
      "preSend:127.0.0.1",
      "onUpload:done",
      "response:200",
    ]);
    assert.equal(r.json<{ headers: Record<string, string> }>().headers["X-Added-In-Presend"], "yes");
    await s.close();
  });

  test("upload progress on a 10 MB streamed body", async () => {
    const seen: UploadProgress[] = [];
    const s = new Session({ baseUrl: base });
    const size = 10 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const source = Readable.from(
      (function* () {
        for (let sent = 0; sent < size; sent += chunk.byteLength) yield chunk;
      })(),
    );
    const r = await s.post("/anything", {
      data: source,
      hooks: { onUpload: (p) => void seen.push({ ...p }) },
    });
    assert.equal(r.statusCode, 200);
    assert.ok(seen.length > 10, `progress reported ${seen.length} times`);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]!.sent >= seen[i - 1]!.sent);
    assert.deepEqual(seen.at(-1), { sent: size, total: size, done: true });
    assert.equal(seen.filter((p) => p.done).length, 1);
    assert.equal(r.json<{ data: string }>().data.length, size);
    await s.close();
  });

  test("download progress follows Content-Length", async () => {
    const seen: Array<{ received: number; total: number | null; done: boolean }> = [];
    const s = new Session({ baseUrl: base });
    const r = await s.get("/bytes/100000", { hooks: { onDownload: (p) => void seen.push({ ...p }) } });
    assert.equal(r.content?.byteLength, 100000);
    assert.deepEqual(seen.at(-1), { received: 100000, total: 100000, done: true });
    assert.ok(seen.every((p) => p.total === 100000));
    await s.close();
  });
});
