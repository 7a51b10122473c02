/**
 * Proves the bench code runs (CI does not run `npm run bench`): a few client modules for ~200 ms
 * each, in their own processes as the bench runs them, against an in-process server. Checks the
 * result line and what the server saw; never asserts on speed.
 */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { after, before, test } from "node:test";
import { runClientProcess } from "../../bench/child-runs.ts";
import type { ClientResult } from "../../bench/clients/driver.ts";
import { summarize } from "../../bench/results-table.ts";
import { checkTargets } from "../../bench/targets.ts";

// The clients load niquests from src/: the test suite runs before (and without) a build.
process.env.NIQUESTS_BENCH_SOURCE = "src";

const TINY = Buffer.from("hello, world\n");
const BIG = Buffer.alloc(512 * 1024, 7);
const sockets = new Set<Socket>();
const hits = new Map<string, number>();
const cookiesSeen: string[] = [];

const server = createServer((req: IncomingMessage, res) => {
  sockets.add(req.socket);
  const path = req.url ?? "";
  hits.set(path, (hits.get(path) ?? 0) + 1);
  if (path === "/tiny") {
    if (req.headers.cookie) cookiesSeen.push(req.headers.cookie);
    res.writeHead(200, { "content-length": TINY.length }).end(TINY);
  } else if (path === "/big") res.writeHead(200, { "content-length": BIG.length }).end(BIG);
  else if (path === "/redirect") res.writeHead(302, { location: "/tiny", "content-length": 0 }).end();
  else if (path === "/proto") res.end(`HTTP/${req.httpVersion}`);
  else res.writeHead(404).end();
});
let base = "";

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

function run(
  script: string,
  flags: Record<string, string | number>,
  extra: string[] = [],
): Promise<ClientResult> {
  return runClientProcess(
    script,
    { duration: 200, warmup: 50, "proto-url": `${base}/proto`, ...flags },
    60_000,
    extra,
  );
}

function assertShape(result: ClientResult, bodyBytes: number): void {
  assert.ok(result.requests > 0, "no request completed");
  assert.equal(result.bytes, result.requests * bodyBytes);
  assert.ok(result.elapsedMs > 0 && result.rps > 0 && result.bytesPerSec > 0);
  assert.equal(result.httpVersion, "1.1");
}

for (const client of ["niquests-session", "undici-request"]) {
  test(`${client}: sequential tiny GETs give a well-formed result line`, async () => {
    const result = await run(client, { url: `${base}/tiny`, mode: "seq", "expect-bytes": TINY.length });
    assertShape(result, TINY.length);
  });
}

test("niquests-session: concurrent GETs stay within the connection limit", async () => {
  sockets.clear();
  const result = await run("niquests-session", {
    url: `${base}/tiny`,
    mode: "conc",
    concurrency: 8,
    connections: 2,
    "expect-bytes": TINY.length,
  });
  assertShape(result, TINY.length);
  assert.ok(sockets.size >= 1 && sockets.size <= 2, `${sockets.size} connections for a limit of 2`);
});

test("niquests-session: a streamed download counts every byte", async () => {
  const result = await run("niquests-session", {
    url: `${base}/big`,
    mode: "download",
    "expect-bytes": BIG.length,
  });
  assertShape(result, BIG.length);
});

test("niquests-features: both variants redirect, and only 'on' sends the jar's cookies", async () => {
  cookiesSeen.length = 0;
  const redirectsBefore = hits.get("/redirect") ?? 0;
  const { on, off } = await runClientProcess<{ on: ClientResult; off: ClientResult }>(
    "niquests-features",
    {
      url: `${base}/redirect`,
      duration: 200,
      warmup: 50,
      "expect-bytes": TINY.length,
      "proto-url": `${base}/proto`,
    },
    60_000,
  );
  assertShape(on, TINY.length);
  assertShape(off, TINY.length);
  assert.ok((hits.get("/redirect") ?? 0) - redirectsBefore >= on.requests + off.requests);
  const withCookies = cookiesSeen.filter((cookie) => cookie.includes("theme=dark"));
  assert.ok(
    withCookies.length >= on.requests,
    `${withCookies.length} cookie headers for ${on.requests} calls`,
  );
  assert.ok(cookiesSeen.length === withCookies.length, "the plain session sent cookies");
});

test("a client that gets the wrong body size fails its run", async () => {
  await assert.rejects(
    run("undici-request", { url: `${base}/tiny`, mode: "seq", "expect-bytes": 99 }),
    /expected 99/,
  );
});

test("summaries: medians, ratios to the baseline and the ceiling, and target checks", () => {
  const summaries = summarize(
    [
      { name: "niquests-session", values: [130, 120, 140], versions: ["1.1"], extras: [], error: undefined },
      {
        name: "undici-request",
        values: [100, 90, 110, 100],
        versions: ["1.1"],
        extras: [],
        error: undefined,
      },
      { name: "wrk (ceiling)", values: [200], versions: ["1.1"], extras: [], error: undefined },
      { name: "got", values: [], versions: [], extras: [], error: "boom" },
    ],
    "undici-request",
    "wrk (ceiling)",
  );
  const byName = new Map(summaries.map((s) => [s.name, s]));
  assert.equal(byName.get("niquests-session")?.median, 130);
  assert.equal(byName.get("undici-request")?.median, 100);
  assert.equal(byName.get("niquests-session")?.ratioToBaseline, 1.3);
  assert.equal(byName.get("niquests-session")?.ratioToCeiling, 0.65);
  assert.equal(byName.get("got")?.median, null);
  assert.equal(byName.get("got")?.error, "boom");
  const [a] = checkTargets(new Map([["a", summaries]]));
  assert.equal(a?.met, true);
  assert.equal(a?.measured, 1.3);
});
