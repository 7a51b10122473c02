/**
 * HTTP/2 multiplexing benchmark: 100 concurrent streams of tiny GETs on ONE connection to nginx
 * (h2 over TLS, test PKI), niquests Session vs raw node:http2 vs undici (allowH2), in the same
 * run. Each measurement runs in its own child process; clients alternate round by round so
 * drift on a shared machine hits them alike. Prints medians and ratios to raw node:http2.
 *
 *   npm run bench:h2 [-- --rounds 5 --duration 2000 --streams 100]
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import http2 from "node:http2";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { NGINX_H2_TINY_BODY, startNginxH2 } from "../test/peers/nginx-h2.ts";
import { makeTestPki } from "../test/peers/pki.ts";

const CLIENTS = ["niquests", "node:http2", "undici"] as const;
type ClientName = (typeof CLIENTS)[number];

interface Result {
  requests: number;
  elapsedMs: number;
  rps: number;
  /** Client process CPU time (user + system) per request, in µs: far less load-sensitive than rps. */
  cpuUsPerRequest: number;
}

/** One batch: `streams` concurrent GETs, each body read to its end. */
type Batch = () => Promise<void>;

async function makeClient(
  name: ClientName,
  url: string,
  ca: string,
  streams: number,
): Promise<{ batch: Batch; close: () => Promise<void> }> {
  const target = `${url}/tiny`;
  const expected = NGINX_H2_TINY_BODY.length;
  const check = (length: number): void => {
    if (length !== expected) throw new Error(`${name}: body of ${length} bytes, expected ${expected}`);
  };
  if (name === "niquests") {
    const { Session } = (await import(
      process.env.NIQUESTS_BENCH_DIST ? "../dist/index.js" : "../src/index.ts"
    )) as typeof import("../src/index.ts");
    const s = new Session({ verify: ca, multiplexed: true, retries: false });
    return {
      batch: async () => {
        const all = await Promise.all(Array.from({ length: streams }, () => s.get(target)));
        for (const r of all) check(r.content?.byteLength ?? -1);
      },
      close: () => s.close(),
    };
  }
  const caPem = readFileSync(ca, "latin1");
  if (name === "node:http2") {
    const session = http2.connect(url, { ca: caPem });
    await new Promise<void>((resolve, reject) => {
      session.once("connect", () => resolve());
      session.once("error", reject);
    });
    const one = (): Promise<void> =>
      new Promise((resolve, reject) => {
        const req = session.request({ ":path": "/tiny" });
        let length = 0;
        req.on("data", (chunk: Buffer) => {
          length += chunk.length;
        });
        req.once("end", () => {
          try {
            check(length);
            resolve();
          } catch (error) {
            reject(error);
          }
        });
        req.once("error", reject);
      });
    return {
      batch: async () => {
        await Promise.all(Array.from({ length: streams }, one));
      },
      close: async () => {
        session.close();
      },
    };
  }
  const { Agent, request } = await import("undici");
  const agent = new Agent({ allowH2: true, connections: 1, pipelining: streams, connect: { ca: caPem } });
  return {
    batch: async () => {
      await Promise.all(
        Array.from({ length: streams }, async () => {
          const { statusCode, body } = await request(target, { dispatcher: agent });
          if (statusCode !== 200) throw new Error(`undici: status ${statusCode}`);
          check((await body.arrayBuffer()).byteLength);
        }),
      );
    },
    close: () => agent.close(),
  };
}

async function child(
  name: ClientName,
  url: string,
  ca: string,
  streams: number,
  durationMs: number,
): Promise<void> {
  const client = await makeClient(name, url, ca, streams);
  // Warm-up: connection, TLS, JIT.
  const warmUntil = performance.now() + Math.min(500, durationMs / 4);
  while (performance.now() < warmUntil) await client.batch();
  let requests = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const stopAt = start + durationMs;
  while (performance.now() < stopAt) {
    await client.batch();
    requests += streams;
  }
  const elapsedMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  await client.close();
  const cpuUsPerRequest = (cpu.user + cpu.system) / requests;
  const result: Result = { requests, elapsedMs, rps: (requests / elapsedMs) * 1000, cpuUsPerRequest };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runChild(
  name: ClientName,
  url: string,
  ca: string,
  streams: number,
  durationMs: number,
): Promise<Result> {
  const script = fileURLToPath(import.meta.url);
  const args = ["--import", "tsx", script, "--child", name, "--url", url, "--ca", ca];
  args.push("--streams", String(streams), "--duration", String(durationMs));
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    proc.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
    });
    proc.once("error", reject);
    proc.once("exit", (code) => {
      if (code !== 0) reject(new Error(`${name} child exited with ${code}`));
      else resolve(JSON.parse(out.trim().split("\n").at(-1)!) as Result);
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: "string" },
      url: { type: "string" },
      ca: { type: "string" },
      rounds: { type: "string", default: "5" },
      duration: { type: "string", default: "2000" },
      streams: { type: "string", default: "100" },
    },
  });
  const streams = Number(values.streams);
  const durationMs = Number(values.duration);
  if (values.child) {
    await child(values.child as ClientName, values.url!, values.ca!, streams, durationMs);
    return;
  }
  const pki = makeTestPki();
  if (!pki) throw new Error("openssl is needed for the test PKI");
  const nginx = await startNginxH2({ pki, maxConcurrentStreams: Math.max(128, streams) });
  if (!nginx) throw new Error("nginx is not installed (apt package nginx-light)");
  const rounds = Number(values.rounds);
  const runs = new Map<ClientName, number[]>(CLIENTS.map((c) => [c, []]));
  const cpuRuns = new Map<ClientName, number[]>(CLIENTS.map((c) => [c, []]));
  try {
    for (let round = 0; round < rounds; round++) {
      // Rotate the order each round.
      const order = CLIENTS.map((_, i) => CLIENTS[(i + round) % CLIENTS.length]!);
      for (const name of order) {
        const result = await runChild(name, nginx.url, pki.ca.certPath, streams, durationMs);
        runs.get(name)!.push(result.rps);
        cpuRuns.get(name)!.push(result.cpuUsPerRequest);
        process.stderr.write(
          `round ${round + 1}/${rounds} ${name}: ${result.rps.toFixed(0)} req/s, ${result.cpuUsPerRequest.toFixed(1)} µs CPU/req\n`,
        );
      }
    }
  } finally {
    await nginx.stop();
    pki.remove();
  }
  const base = median(runs.get("node:http2")!);
  console.log(
    `\n${streams} concurrent streams of GET /tiny on one h2 connection (nginx, TLS), ${rounds} rounds × ${durationMs} ms`,
  );
  const baseCpu = median(cpuRuns.get("node:http2")!);
  console.log(
    "client        median req/s   runs                                  vs node:http2   CPU µs/req (median)   vs node:http2",
  );
  for (const name of CLIENTS) {
    const list = runs.get(name)!;
    const m = median(list);
    const cpu = median(cpuRuns.get(name)!);
    const runsText = list.map((v) => v.toFixed(0)).join(" ");
    const ratio = `${(m / base).toFixed(2)}×`;
    const cpuRatio = `${(cpu / baseCpu).toFixed(2)}×`;
    console.log(
      `${name.padEnd(13)} ${m.toFixed(0).padStart(12)}   ${runsText.padEnd(37)} ${ratio.padEnd(15)} ${cpu.toFixed(1).padStart(19)}   ${cpuRatio}`,
    );
  }
}

await main();
