/**
 * The measuring loop every benchmark client shares, run inside the client's own child process.
 * argv: --url U --mode seq|conc|download|burst [--duration MS | --count N] [--warmup MS]
 *       [--concurrency 64] [--connections 10] [--expect-bytes N] [--ca FILE] [--proto-url U]
 * Prints one JSON line on stdout (see ClientResult).
 */
import { parseArgs } from "node:util";

/** How a client is set up: the same limits for every client in a scenario. */
export interface BenchClientConfig {
  /** Connections per origin at most. */
  connections: number;
  /** PEM file of the CA to trust for https URLs, if any. */
  ca: string | undefined;
}

/** One HTTP client under test. */
export interface BenchClient {
  /** GET `url`, read the whole body, throw unless the status is 200; returns the body length. */
  get(url: string): Promise<number>;
  /** GET `url` as a stream, counting bytes without keeping them; returns the body length. */
  download?(url: string): Promise<number>;
  /** GET `url` and say which HTTP version carried it ("1.1", "2"), from the client's own API
   * where it has one, else from the body (the bench servers answer `/proto` with it). */
  httpVersion(url: string): Promise<string>;
  close(): Promise<void>;
}

export type BenchClientFactory = (config: BenchClientConfig) => BenchClient | Promise<BenchClient>;

export const MODES = ["seq", "conc", "download", "burst"] as const;
export type DriverMode = (typeof MODES)[number];

/** What a client process reports. */
export interface ClientResult {
  requests: number;
  elapsedMs: number;
  rps: number;
  bytes: number;
  /** Body bytes per second over the measured time. */
  bytesPerSec: number;
  /** CPU time (user + system) of this process per completed request, in µs: steadier than
   * wall time when other work shares the machine. */
  cpuUsPerRequest: number;
  /** The HTTP version of a request made after the measurement, or "?" without --proto-url. */
  httpVersion: string;
  /** burst only: resident set size before the burst, and the process's peak, in MiB. */
  rssBeforeMiB?: number;
  peakRssMiB?: number;
}

interface Plan {
  url: string;
  mode: DriverMode;
  workers: number;
  durationMs: number | undefined;
  count: number | undefined;
  expectBytes: number | undefined;
}

async function drive(client: BenchClient, plan: Plan): Promise<ClientResult> {
  const fetchOne =
    plan.mode === "download"
      ? (client.download?.bind(client) ?? missing("download"))
      : client.get.bind(client);
  let issued = 0;
  let requests = 0;
  let bytes = 0;
  const start = performance.now();
  const cpu = process.cpuUsage();
  const stopAt = plan.durationMs === undefined ? Number.POSITIVE_INFINITY : start + plan.durationMs;
  // Count-based runs issue exactly `count`; timed runs stop issuing at the deadline.
  const more = (): boolean => (plan.count === undefined ? performance.now() < stopAt : issued < plan.count);
  const worker = async (): Promise<void> => {
    while (more()) {
      issued++;
      const length = await fetchOne(plan.url);
      // Proves the body was read in full, for every client and every request.
      if (plan.expectBytes !== undefined && length !== plan.expectBytes) {
        throw new Error(`body was ${length} bytes, expected ${plan.expectBytes}`);
      }
      bytes += length;
      requests++;
    }
  };
  await Promise.all(Array.from({ length: plan.workers }, worker));
  const elapsedMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return {
    requests,
    elapsedMs,
    rps: (requests * 1000) / elapsedMs,
    bytes,
    bytesPerSec: (bytes * 1000) / elapsedMs,
    cpuUsPerRequest: requests === 0 ? 0 : (used.user + used.system) / requests,
    httpVersion: "?",
  };
}

function missing(what: string): never {
  throw new Error(`this client has no ${what}()`);
}

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new Error(`${flag} must be a positive integer`);
  return number;
}

const MIB = 1024 * 1024;

/** Parses argv, warms the client up, measures, prints the result line and exits. */
export async function runBenchClient(factory: BenchClientFactory): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: "string" },
      mode: { type: "string", default: "seq" },
      duration: { type: "string" },
      count: { type: "string" },
      warmup: { type: "string", default: "300" },
      concurrency: { type: "string", default: "64" },
      connections: { type: "string", default: "10" },
      "expect-bytes": { type: "string" },
      ca: { type: "string" },
      "proto-url": { type: "string" },
    },
  });
  if (values.url === undefined) throw new Error("--url is required");
  const mode = values.mode as DriverMode;
  if (!MODES.includes(mode)) throw new Error(`--mode must be one of ${MODES.join(", ")}`);
  const count = positiveInt(values.count, "--count");
  const durationMs = positiveInt(values.duration, "--duration") ?? (count === undefined ? 1500 : undefined);
  const concurrency = positiveInt(values.concurrency, "--concurrency") ?? 64;
  const plan: Plan = {
    url: values.url,
    mode,
    // A burst starts every request at once: one worker per request.
    workers: mode === "seq" || mode === "download" ? 1 : mode === "burst" ? (count ?? 1) : concurrency,
    durationMs: mode === "burst" ? undefined : durationMs,
    count: mode === "burst" ? (count ?? 1) : count,
    expectBytes: values["expect-bytes"] === undefined ? undefined : Number(values["expect-bytes"]),
  };
  const client = await factory({
    connections: positiveInt(values.connections, "--connections") ?? 10,
    ca: values.ca,
  });
  const warmupMs = Number(values.warmup);
  if (warmupMs > 0) {
    // A burst warms up on a few ordinary rounds: code loaded and connections opened, not the peak.
    const warm = mode === "burst" ? { ...plan, workers: Math.min(plan.workers, 64) } : plan;
    await drive(client, { ...warm, durationMs: warmupMs, count: undefined });
  }
  const rssBefore = process.memoryUsage.rss();
  const result = await drive(client, plan);
  if (mode === "burst") {
    result.rssBeforeMiB = rssBefore / MIB;
    result.peakRssMiB = (process.resourceUsage().maxRSS * 1024) / MIB;
  }
  if (values["proto-url"] !== undefined) result.httpVersion = await client.httpVersion(values["proto-url"]);
  await client.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
  // Some clients keep idle sockets referenced; the measurement is done, do not wait for them.
  process.exit(0);
}

/** "HTTP/2.0" or "HTTP/1.1" (a `/proto` body) to "2" or "1.1". */
export function versionFromProto(body: string): string {
  const version = body.trim().replace(/^HTTP\//, "");
  return version === "2.0" ? "2" : version;
}
