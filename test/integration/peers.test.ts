/**
 * Self-check of the peer harness: the real servers start, answer over node:http (not our client),
 * keep connections alive, and leave nothing listening once stopped or once their owner crashes.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import http from "node:http";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type HttpbinPeer, startHttpbin } from "../peers/httpbin.ts";
import { NGINX_COOKIE, NGINX_TINY_BODY, type NginxPeer, oneMiBBody, startNginx } from "../peers/nginx.ts";
import { isPortOpen, reportMissing, startPeerProcess } from "../peers/peer-process.ts";
import { requirePeer } from "../peers/require-peer.ts";

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  reusedSocket: boolean;
}

function get(url: string, agent: http.Agent | false = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.once("error", reject);
      response.once("end", () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks),
          reusedSocket: request.reusedSocket,
        }),
      );
    });
    request.once("error", reject);
  });
}

async function assertKeepAlive(url: string): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const first = await get(url, agent);
    const second = await get(url, agent);
    assert.equal(first.status, 200);
    assert.equal(second.status, 200);
    assert.equal(first.reusedSocket, false);
    assert.equal(second.reusedSocket, true, "the second request should reuse the kept-alive socket");
  } finally {
    agent.destroy();
  }
}

const httpbin: HttpbinPeer | null = await requirePeer("httpbin", startHttpbin);
const nginx: NginxPeer | null = await requirePeer("nginx", startNginx);
after(async () => {
  await httpbin?.stop();
  await nginx?.stop();
});

describe("httpbin peer", { skip: httpbin ? false : "gunicorn or python3-httpbin not installed" }, () => {
  test("GET /get echoes the query and request headers", async () => {
    const answer = await get(`${httpbin!.url}/get?a=1`);
    assert.equal(answer.status, 200);
    const json = JSON.parse(answer.body.toString("utf8")) as { args: Record<string, string>; url: string };
    assert.deepEqual(json.args, { a: "1" });
    assert.equal(json.url, `${httpbin!.url}/get?a=1`);
  });

  test("keeps connections alive (gthread worker)", () => assertKeepAlive(`${httpbin!.url}/get`));

  test("stop() closes the port and is idempotent", async () => {
    assert.equal(await isPortOpen(httpbin!.port), true);
    await httpbin!.stop();
    await httpbin!.stop();
    assert.equal(await isPortOpen(httpbin!.port), false);
  });
});

describe("nginx peer", { skip: nginx ? false : "nginx not installed" }, () => {
  test("GET /tiny answers the small text body", async () => {
    const answer = await get(`${nginx!.url}/tiny`);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers["content-type"], "text/plain");
    assert.equal(answer.body.toString("utf8"), NGINX_TINY_BODY);
  });

  test("GET /1m serves the generated 1 MiB file byte for byte", async () => {
    const answer = await get(`${nginx!.url}/1m`);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers["content-length"], String(1024 * 1024));
    assert.ok(answer.body.equals(oneMiBBody()), "body differs from oneMiBBody()");
  });

  test("GET /redirect is a relative 302 to /tiny", async () => {
    const answer = await get(`${nginx!.url}/redirect`);
    assert.equal(answer.status, 302);
    assert.equal(answer.headers.location, "/tiny");
  });

  test("GET /set-cookie sets a cookie", async () => {
    const answer = await get(`${nginx!.url}/set-cookie`);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.headers["set-cookie"], [NGINX_COOKIE]);
  });

  test("keeps connections alive", () => assertKeepAlive(`${nginx!.url}/tiny`));

  test("stop() closes the port", async () => {
    await nginx!.stop();
    assert.equal(await isPortOpen(nginx!.port), false);
  });

  test("a crashed owner process leaves no server behind", async () => {
    const nginxModule = fileURLToPath(new URL("../peers/nginx.ts", import.meta.url));
    const script = [
      `import { startNginx } from ${JSON.stringify(nginxModule)};`,
      "const peer = await startNginx();",
      "console.log(JSON.stringify({ port: peer.port }));",
      "setTimeout(() => { throw new Error('simulated crash'); }, 10);",
    ].join("\n");
    const tsx = import.meta.resolve("tsx");
    const child = spawn(process.execPath, ["--import", tsx, "--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    assert.notEqual(code, 0, "the owner should have crashed");
    assert.match(stderr, /simulated crash/);
    const { port } = JSON.parse(stdout.trim()) as { port: number };
    assert.equal(await isPortOpen(port), false, "nginx survived its owner");
  });
});

describe("peer process harness", () => {
  test("a server that dies before it is ready fails with its own output", async () => {
    await assert.rejects(
      startPeerProcess({
        name: "broken",
        command: "/bin/sh",
        args: () => ["-c", "echo 'config is broken' >&2; exit 3"],
        readiness: { kind: "tcp" },
      }),
      (error: Error) => {
        assert.match(error.message, /broken .*exited before it was ready \(exit code 3\)/);
        assert.match(error.message, /config is broken/);
        return true;
      },
    );
  });

  test("a server that never listens misses the deadline and is killed", async () => {
    let pid = -1;
    await assert.rejects(
      startPeerProcess({
        name: "silent",
        command: "/bin/sh",
        args: () => ["-c", "echo started; echo $$ >&2; exec sleep 60"],
        readiness: { kind: "tcp" },
        readyTimeoutMs: 300,
      }),
      (error: Error) => {
        assert.match(error.message, /silent .*not ready after 300 ms/);
        const match = /^(\d+)$/m.exec(error.message);
        assert.ok(match, "the pid the shell printed should be in the message");
        pid = Number(match[1]);
        return true;
      },
    );
    assert.throws(() => process.kill(pid, 0), { code: "ESRCH" }, "the silent server is still running");
  });

  test("a nonexistent executable fails instead of hanging", async () => {
    const missing = "/nonexistent/bin/server";
    assert.equal(existsSync(missing), false);
    await assert.rejects(
      startPeerProcess({ name: "ghost", command: missing, args: () => [], readiness: { kind: "tcp" } }),
      /ghost .*spawn error/,
    );
  });
});

describe("requirePeer", () => {
  const absent = async (): Promise<null> => {
    reportMissing("/usr/bin/imaginary (apt package imaginary)");
    return null;
  };

  async function withCI<T>(value: string | undefined, body: () => Promise<T>): Promise<T> {
    const saved = process.env.CI;
    if (value === undefined) delete process.env.CI;
    else process.env.CI = value;
    try {
      return await body();
    } finally {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
  }

  test("outside CI a missing peer yields null", async () => {
    assert.equal(await withCI(undefined, () => requirePeer("imaginary", absent)), null);
    assert.equal(await withCI("false", () => requirePeer("imaginary", absent)), null);
  });

  test("in CI a missing peer is an error naming the binary and package", async () => {
    await withCI("true", () =>
      assert.rejects(requirePeer("imaginary", absent), (error: Error) => {
        assert.match(error.message, /"imaginary" is required in CI/);
        assert.match(error.message, /\/usr\/bin\/imaginary \(apt package imaginary\)/);
        return true;
      }),
    );
  });

  test("a present peer is returned as is, in CI or not", async () => {
    const peer = { url: "http://127.0.0.1:1" };
    assert.equal(await withCI("true", () => requirePeer("present", async () => peer)), peer);
    assert.equal(await withCI(undefined, () => requirePeer("present", async () => peer)), peer);
  });
});
