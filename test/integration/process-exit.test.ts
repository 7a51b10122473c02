/**
 * Idle pooled connections must not keep a script alive: a process that made requests and never
 * closed its session exits on its own, even though the server keeps the connections open.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

test("a script with idle pooled connections exits by itself", async () => {
  const server = createServer((_req, res) => res.end("hi"));
  // The server would hold idle connections far longer than the test waits.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const entry = fileURLToPath(new URL("../../src/index.ts", import.meta.url));
  const script = `
    import { get, Session } from ${JSON.stringify(entry)};
    const s = new Session();
    const a = await s.get(${JSON.stringify(url)});
    const b = await get(${JSON.stringify(url)});
    console.log(a.text + b.text);
  `;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const timeout = new Promise<"hung">((resolve) => setTimeout(resolve, 15_000, "hung").unref());
  const result = await Promise.race([exited, timeout]);
  if (result === "hung") child.kill();
  server.closeAllConnections();
  server.close();
  assert.equal(result, 0, "the child process should exit by itself with code 0");
  assert.equal(output.trim(), "hihi");
});
