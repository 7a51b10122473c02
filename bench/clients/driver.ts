/**
 * The measuring loop every benchmark client shares, run inside the client's own child process.
 * argv: --url U --mode seq|conc --duration MS | --count N [--warmup MS] [--concurrency 64]
 *       [--connections 10] [--expect-bytes N]
 * Prints one JSON line on stdout: {"requests":N,"elapsedMs":T,"rps":R,"bytes":B}.
 */
import { parseArgs } from "node:util";

/** One HTTP client under test, configured for a connection limit. */
export interface BenchClient {
  /** GET `url`, read the whole body, throw unless the status is 200; returns the body length. */
  get(url: string): Promise<number>;
  close(): Promise<void>;
}

/** Builds a client limited to `connections` connections per origin. */
export type BenchClientFactory = (connections: number) => BenchClient | Promise<BenchClient>;

/** What a client process reports. */
export interface ClientResult {
  requests: number;
  elapsedMs: number;
  rps: number;
  bytes: number;
}

interface Plan {
  url: string;
  workers: number;
  durationMs: number | undefined;
  count: number | undefined;
  expectBytes: number | undefined;
}

async function drive(client: BenchClient, plan: Plan): Promise<ClientResult> {
  let issued = 0;
  let requests = 0;
  let bytes = 0;
  const start = performance.now();
  const stopAt = plan.durationMs === undefined ? Number.POSITIVE_INFINITY : start + plan.durationMs;
  const more = (): boolean => (plan.count === undefined ? performance.now() < stopAt : issued < plan.count);
  const worker = async (): Promise<void> => {
    while (more()) {
      issued++;
      const length = await client.get(plan.url);
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
  return { requests, elapsedMs, rps: (requests * 1000) / elapsedMs, bytes };
}

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new Error(`${flag} must be a positive integer`);
  return number;
}

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
    },
  });
  if (values.url === undefined) throw new Error("--url is required");
  if (values.mode !== "seq" && values.mode !== "conc") throw new Error("--mode must be seq or conc");
  const count = positiveInt(values.count, "--count");
  const durationMs = positiveInt(values.duration, "--duration") ?? (count === undefined ? 1500 : undefined);
  const plan: Plan = {
    url: values.url,
    workers: values.mode === "seq" ? 1 : (positiveInt(values.concurrency, "--concurrency") ?? 64),
    durationMs,
    count,
    expectBytes: values["expect-bytes"] === undefined ? undefined : Number(values["expect-bytes"]),
  };
  const client = await factory(positiveInt(values.connections, "--connections") ?? 10);
  const warmupMs = Number(values.warmup);
  if (warmupMs > 0) await drive(client, { ...plan, durationMs: warmupMs, count: undefined });
  const result = await drive(client, plan);
  await client.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
  // Some clients keep idle sockets referenced; the measurement is done, do not wait for them.
  process.exit(0);
}
