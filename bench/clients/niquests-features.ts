/**
 * Scenario (e): the cost of the session layer. One logical call fetches /redirect, which nginx
 * answers with a 302 to /tiny: two requests either way.
 *   on   one `session.get("/redirect")` on a Session holding cookies (sent on both hops), with a
 *        preRequest and a response hook, following the redirect itself.
 *   off  the same two requests by hand, `allowRedirects: false`, no cookies, no hooks,
 *        Set-Cookie ignored: what a caller does without those features.
 * Both run in this one process, alternating 50 ms slices, so load from elsewhere on the machine
 * hits both alike (separate processes made the ratio swing by ±15% between runs).
 * argv: --url U/redirect --duration MS [--warmup MS] [--connections N] [--expect-bytes N]
 * Prints one JSON line: {"on": ClientResult, "off": ClientResult}.
 */
import { parseArgs } from "node:util";
import type { ClientResult } from "./driver.ts";
import { loadNiquests, versionName } from "./load-niquests.ts";

const { Session } = await loadNiquests();
const { values } = parseArgs({
  options: {
    url: { type: "string" },
    duration: { type: "string", default: "1000" },
    warmup: { type: "string", default: "300" },
    connections: { type: "string", default: "10" },
    "expect-bytes": { type: "string" },
    "proto-url": { type: "string" },
  },
});
if (values.url === undefined || !values.url.endsWith("/redirect"))
  throw new Error("--url must end in /redirect");
const url = values.url;
const tinyUrl = url.replace(/\/redirect$/, "/tiny");
const expectBytes = values["expect-bytes"] === undefined ? undefined : Number(values["expect-bytes"]);
const poolMaxsize = Number(values.connections);

let hookCalls = 0;
const count = (): void => {
  hookCalls++;
};
const withFeatures = new Session({ poolMaxsize, hooks: { preRequest: [count], response: [count] } });
const { hostname } = new URL(url);
withFeatures.cookies.set("theme", "dark", { domain: hostname, path: "/" });
withFeatures.cookies.set("session", "0123456789abcdef", { domain: hostname, path: "/" });
const plain = new Session({ poolMaxsize, allowIncomingCookies: false });

async function callOn(): Promise<number> {
  const r = await withFeatures.get(url);
  if (r.statusCode !== 200 || r.history.length !== 1)
    throw new Error(`status ${r.statusCode}, not redirected`);
  return r.content?.byteLength ?? 0;
}

async function callOff(): Promise<number> {
  const first = await plain.get(url, { allowRedirects: false });
  if (first.statusCode !== 302) throw new Error(`status ${first.statusCode}`);
  const r = await plain.get(tinyUrl);
  if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}`);
  return r.content?.byteLength ?? 0;
}

interface Tally {
  requests: number;
  bytes: number;
  ms: number;
  cpuUs: number;
}

async function slice(call: () => Promise<number>, ms: number, tally: Tally): Promise<void> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const stopAt = start + ms;
  while (performance.now() < stopAt) {
    const length = await call();
    if (expectBytes !== undefined && length !== expectBytes) {
      throw new Error(`body was ${length} bytes, expected ${expectBytes}`);
    }
    tally.requests++;
    tally.bytes += length;
  }
  const used = process.cpuUsage(cpu);
  tally.ms += performance.now() - start;
  tally.cpuUs += used.user + used.system;
}

function result(tally: Tally, httpVersion: string): ClientResult {
  return {
    requests: tally.requests,
    elapsedMs: tally.ms,
    rps: (tally.requests * 1000) / tally.ms,
    bytes: tally.bytes,
    bytesPerSec: (tally.bytes * 1000) / tally.ms,
    cpuUsPerRequest: tally.cpuUs / Math.max(1, tally.requests),
    httpVersion,
  };
}

const SLICE_MS = 50;
const warm = (): Tally => ({ requests: 0, bytes: 0, ms: 0, cpuUs: 0 });
const warmupMs = Number(values.warmup);
if (warmupMs > 0) {
  await slice(callOn, warmupMs / 2, warm());
  await slice(callOff, warmupMs / 2, warm());
}
const on = warm();
const off = warm();
// Each variant gets `duration` ms in total; which goes first alternates too.
for (let spent = 0, i = 0; spent < Number(values.duration); i++) {
  const [first, second] = i % 2 === 0 ? [callOn, callOff] : [callOff, callOn];
  await slice(first, SLICE_MS, first === callOn ? on : off);
  await slice(second, SLICE_MS, second === callOn ? on : off);
  spent += SLICE_MS;
}
if (hookCalls === 0) throw new Error("the hooks never ran");
const protoUrl = values["proto-url"];
const version = protoUrl === undefined ? "?" : versionName((await withFeatures.get(protoUrl)).httpVersion);
await Promise.all([withFeatures.close(), plain.close()]);
process.stdout.write(`${JSON.stringify({ on: result(on, version), off: result(off, version) })}\n`);
process.exit(0);
