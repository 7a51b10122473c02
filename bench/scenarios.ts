/**
 * The scenarios of issue 6, (a) to (g): which entries (clients in their own processes, plus the
 * C tools' ceiling) each one runs, with which flags, and what figure each round yields.
 */
import type { BenchOptions } from "./bench-options.ts";
import { H2LOAD, hasTool, runClientProcess, runH2load, runImportTime, runWrk, WRK } from "./child-runs.ts";
import type { ClientResult } from "./clients/driver.ts";
import type { TableSpec } from "./results-table.ts";
import { type BenchNginx, HUNDRED_MIB, TINY_BODY } from "./servers/nginx-bench.ts";

/** What one round of one entry yields. */
export interface Measurement {
  value: number;
  version: string;
  extra?: number;
}

export interface Entry {
  name: string;
  measure(): Promise<Measurement>;
}

export interface Scenario {
  id: string;
  title: string;
  /** One paragraph: what is measured and how. */
  description: string;
  spec: TableSpec;
  baseline: string;
  ceiling: string | null;
  entries: Entry[];
}

export interface BenchServers {
  nginx: BenchNginx;
  /** The node:http bench server's base URL, when started. */
  node: string | null;
}

const TINY_BYTES = Buffer.byteLength(TINY_BODY);
/** Clients that speak HTTP/1.1 (node:http2 only speaks h2). */
const H1_CLIENTS = [
  "niquests-session",
  "niquests-top",
  "undici-request",
  "undici-fetch",
  "node-http",
  "got",
  "axios",
];
const WRK_NAME = "wrk (ceiling)";
const H2LOAD_NAME = "h2load (ceiling)";
const REQ_S: Omit<TableSpec, "ceilingLabel"> = {
  unit: "req/s",
  baselineLabel: "vs undici.request",
  extraLabel: null,
  decimals: 0,
};

type Flags = Record<string, string | number | undefined>;

function clientEntry(
  name: string,
  script: string,
  flags: Flags,
  pick: (result: ClientResult) => Measurement,
  options: BenchOptions,
  extraArgs: string[] = [],
): Entry {
  const limitMs = options.warmupMs + options.durationMs + 120_000;
  return { name, measure: async () => pick(await runClientProcess(script, flags, limitMs, extraArgs)) };
}

const rps = (r: ClientResult): Measurement => ({ value: r.rps, version: r.httpVersion });

function pickClients(options: BenchOptions, from: readonly string[]): string[] {
  return options.clients.filter((client) => from.includes(client));
}

/** (a) and (b) against one server: sequential, or 64 in flight over at most 10 connections. */
function tinyScenario(id: "a" | "b", server: string, base: string, options: BenchOptions): Scenario {
  const seq = id === "a";
  const connections = seq ? 1 : options.connections;
  const flags: Flags = {
    url: `${base}/tiny`,
    mode: seq ? "seq" : "conc",
    duration: options.durationMs,
    warmup: options.warmupMs,
    concurrency: options.concurrency,
    connections: options.connections,
    "expect-bytes": TINY_BYTES,
    "proto-url": `${base}/proto`,
  };
  const entries = pickClients(options, H1_CLIENTS).map((c) => clientEntry(c, c, flags, rps, options));
  if (hasTool(WRK)) {
    entries.push({
      name: WRK_NAME,
      measure: async () => ({
        value: (await runWrk(`${base}/tiny`, connections, options.durationMs)).rps,
        version: "1.1",
      }),
    });
  }
  return {
    id: `${id}${server === "nginx" ? "" : ` (${server})`}`,
    title: seq
      ? `(a) sequential tiny GETs, one keep-alive connection — ${server}`
      : `(b) ${options.concurrency} in flight, at most ${options.connections} connections — ${server}`,
    description: seq
      ? `One request at a time, ${TINY_BYTES}-byte body read in full, for ${options.durationMs} ms per round. wrk: 1 thread, 1 connection.`
      : `${options.concurrency} concurrent callers over a pool capped at ${options.connections} connections. wrk: 1 thread, ${options.connections} connections (one request in flight on each: HTTP/1.1 has no more without pipelining).`,
    spec: { ...REQ_S, ceilingLabel: hasTool(WRK) ? "vs wrk" : null },
    baseline: "undici-request",
    ceiling: hasTool(WRK) ? WRK_NAME : null,
    entries,
  };
}

function downloadScenario(nginx: BenchNginx, options: BenchOptions): Scenario {
  const url = `${nginx.h1Url}/100m`;
  const flags: Flags = {
    url,
    mode: "download",
    duration: options.durationMs,
    warmup: options.warmupMs,
    connections: 1,
    "expect-bytes": HUNDRED_MIB,
    "proto-url": `${nginx.h1Url}/proto`,
  };
  const mbps = (r: ClientResult): Measurement => ({ value: r.bytesPerSec / 1e6, version: r.httpVersion });
  const entries = pickClients(options, H1_CLIENTS).map((c) => clientEntry(c, c, flags, mbps, options));
  if (hasTool(WRK)) {
    entries.push({
      name: WRK_NAME,
      measure: async () => ({
        value: (await runWrk(url, 1, options.durationMs)).bytesPerSec / 1e6,
        version: "1.1",
      }),
    });
  }
  return {
    id: "c",
    title: "(c) 100 MiB streamed download",
    description: `GET /100m (nginx sendfile), body consumed as a stream and counted, never kept; back to back for ${options.durationMs} ms per round (at least one whole file). wrk: 1 thread, 1 connection.`,
    spec: {
      unit: "MB/s",
      baselineLabel: "vs undici.request",
      ceilingLabel: hasTool(WRK) ? "vs wrk" : null,
      extraLabel: null,
      decimals: 0,
    },
    baseline: "undici-request",
    ceiling: hasTool(WRK) ? WRK_NAME : null,
    entries,
  };
}

function h2Scenario(nginx: BenchNginx, options: BenchOptions): Scenario {
  const streams = 100;
  const flags: Flags = {
    url: `${nginx.tlsUrl}/tiny`,
    mode: "conc",
    duration: options.durationMs,
    warmup: options.warmupMs,
    concurrency: streams,
    connections: 1,
    ca: nginx.caPath,
    "expect-bytes": TINY_BYTES,
    "proto-url": `${nginx.tlsUrl}/proto`,
  };
  const entries = pickClients(options, ["node-http2", "undici-request", "niquests-session"]).map((c) =>
    clientEntry(c, c, flags, rps, options),
  );
  const requests = options.quick ? 5_000 : 20_000;
  if (hasTool(H2LOAD)) {
    entries.push({
      name: H2LOAD_NAME,
      measure: async () => ({
        value: await runH2load(`${nginx.tlsUrl}/tiny`, 1, streams, requests),
        version: "2",
      }),
    });
  }
  return {
    id: "d",
    title: `(d) TLS, ${streams} concurrent streams on one connection`,
    description: `nginx over TLS offering h2 and http/1.1 by ALPN; every client limited to one connection with ${streams} requests in flight (undici with allowH2). A client that negotiates HTTP/1.1 serialises them: see the HTTP column. h2load: 1 connection, -m${streams}, ${requests} requests.`,
    spec: { ...REQ_S, ceilingLabel: hasTool(H2LOAD) ? "vs h2load" : null },
    baseline: "undici-request",
    ceiling: hasTool(H2LOAD) ? H2LOAD_NAME : null,
    entries,
  };
}

function featuresScenario(nginx: BenchNginx, options: BenchOptions): Scenario {
  const flags: Flags = {
    url: `${nginx.h1Url}/redirect`,
    duration: options.durationMs,
    warmup: options.warmupMs,
    connections: options.connections,
    "expect-bytes": TINY_BYTES,
    "proto-url": `${nginx.h1Url}/proto`,
  };
  // One process per round measures both variants, in alternating slices: both entries of a
  // round read the same run (the first to ask starts it).
  let shared: Promise<{ on: ClientResult; off: ClientResult }> | null = null;
  let readers = 0;
  const both = (): Promise<{ on: ClientResult; off: ClientResult }> => {
    if (shared === null) {
      const limitMs = options.warmupMs + 2 * options.durationMs + 120_000;
      shared = runClientProcess<{ on: ClientResult; off: ClientResult }>("niquests-features", flags, limitMs);
      readers = 0;
    }
    const run = shared;
    if (++readers === 2) shared = null;
    return run;
  };
  const entry = (on: boolean): Entry => ({
    name: `niquests-session, features ${on ? "on" : "off"}`,
    measure: async () => rps((await both())[on ? "on" : "off"]),
  });
  return {
    id: "e",
    title: "(e) session layer: cookies + one redirect + hooks, on vs off",
    description: `One call = GET /redirect (302) then /tiny, sequential. On: a Session with two cookies in its jar, a preRequest and a response hook, following the redirect. Off: the same two requests by hand, no cookies, no hooks, Set-Cookie ignored. Both in one process per round, alternating 50 ms slices (${options.durationMs} ms each in total), so machine load hits both alike. Calls per second.`,
    spec: {
      unit: "calls/s",
      baselineLabel: "vs features off",
      ceilingLabel: null,
      extraLabel: null,
      decimals: 0,
    },
    baseline: "niquests-session, features off",
    ceiling: null,
    entries: options.clients.includes("niquests-session") ? [entry(true), entry(false)] : [],
  };
}

function memoryScenario(node: string, options: BenchOptions): Scenario {
  const flags: Flags = {
    url: `${node}/delay?ms=${options.delayMs}`,
    mode: "burst",
    count: options.burst,
    warmup: options.warmupMs,
    connections: options.burstConnections,
    "expect-bytes": TINY_BYTES,
    "proto-url": `${node}/proto`,
  };
  const growth = (r: ClientResult): Measurement => ({
    value: (r.peakRssMiB ?? 0) - (r.rssBeforeMiB ?? 0),
    version: r.httpVersion,
    extra: r.peakRssMiB ?? 0,
  });
  // niquests.get() has a fixed pool of 10: 10 000 requests would take a minute; the Session covers it.
  const clients = pickClients(options, H1_CLIENTS).filter((c) => c !== "niquests-top");
  return {
    id: "f",
    title: `(f) peak memory, ${options.burst.toLocaleString("en-US")} concurrent requests`,
    description: `${options.burst} requests started at once against a node:http endpoint that answers after ${options.delayMs} ms, pool capped at ${options.burstConnections} connections. Growth = peak RSS (getrusage maxrss) minus RSS after warm-up, in MiB; lower is better.`,
    spec: {
      unit: "MiB growth",
      baselineLabel: "vs undici.request",
      ceilingLabel: null,
      extraLabel: "peak RSS MiB",
      decimals: 1,
    },
    baseline: "undici-request",
    ceiling: null,
    entries: clients.map((c) => clientEntry(c, c, flags, growth, options)),
  };
}

function importScenario(options: BenchOptions): Scenario {
  const dist = new URL("../dist/index.js", import.meta.url).href;
  const packages: Array<[string, string, string]> = [
    ["niquests", dist, "niquests-session"],
    ["undici", "undici", "undici-request"],
    ["got", "got", "got"],
    ["axios", "axios", "axios"],
  ];
  return {
    id: "g",
    title: "(g) import time",
    description:
      "`await import()` of the package in a fresh `node` (no loader), timed inside the process; niquests from dist/. Lower is better.",
    spec: { unit: "ms", baselineLabel: "vs undici", ceilingLabel: null, extraLabel: null, decimals: 1 },
    baseline: "undici",
    ceiling: null,
    entries: packages
      .filter(([, , client]) => options.clients.includes(client))
      .map(([name, specifier]) => ({
        name,
        measure: async () => ({ value: await runImportTime(specifier), version: "-" }),
      })),
  };
}

/** The scenarios picked by the options, in order. */
export function buildScenarios(servers: BenchServers, options: BenchOptions): Scenario[] {
  const scenarios: Scenario[] = [];
  const bases: Array<[string, string]> = [];
  if (options.servers.includes("nginx")) bases.push(["nginx", servers.nginx.h1Url]);
  if (options.servers.includes("node-http") && servers.node !== null) bases.push(["node-http", servers.node]);
  for (const id of options.scenarios) {
    if (id === "a" || id === "b")
      for (const [name, base] of bases) scenarios.push(tinyScenario(id, name, base, options));
    if (id === "c") scenarios.push(downloadScenario(servers.nginx, options));
    if (id === "d") scenarios.push(h2Scenario(servers.nginx, options));
    if (id === "e") scenarios.push(featuresScenario(servers.nginx, options));
    if (id === "f" && servers.node !== null) scenarios.push(memoryScenario(servers.node, options));
    if (id === "g") scenarios.push(importScenario(options));
  }
  return scenarios.filter((scenario) => scenario.entries.length > 0);
}
