/**
 * http+unix:// beyond a plain GET: relative redirects stay on the socket, cookies set through it
 * are sent back, and a failed connect leaves no pipe handle behind.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ConnectionError, Session } from "../../src/index.ts";

function pipes(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === "PipeWrap" || kind === "PIPEWRAP").length;
}

test("redirects and cookies over a Unix socket; a refused socket leaks nothing", async () => {
  const dir = mkdtempSync(join(tmpdir(), "niquests-unix-"));
  const path = join(dir, "app.sock");
  const server = http.createServer((req, res) => {
    if (req.url === "/start") {
      res.writeHead(302, { Location: "/next", "Set-Cookie": "via=unix; Path=/" });
      res.end();
      return;
    }
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify({ url: req.url, cookie: req.headers.cookie ?? null, host: req.headers.host }));
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  const base = `http+unix://${encodeURIComponent(path)}`;
  const s = new Session({ retries: false });
  try {
    const r = await s.get(`${base}/start`);
    assert.equal(r.url, `${base}/next`);
    assert.equal(r.history.length, 1);
    assert.deepEqual(r.json(), { url: "/next", cookie: "via=unix", host: "localhost" });
    assert.equal(r.connInfo?.reused, true);
    assert.equal(r.connInfo?.destinationAddress, null);
    assert.equal(r.connInfo?.resolutionLatency, null);

    const before = pipes();
    const missing = `http+unix://${encodeURIComponent(join(dir, "nobody.sock"))}/`;
    const error = await s.get(missing).catch((e: unknown) => e);
    assert.ok(error instanceof ConnectionError, String(error));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(pipes(), before);
  } finally {
    await s.close();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  }
});
