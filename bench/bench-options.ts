/** Command-line options of `npm run bench`. */
import { parseArgs } from "node:util";

/** Every benchmark client (bench/clients/<name>.ts); each scenario runs the ones that apply. */
export const ALL_CLIENTS = [
  "niquests-session",
  "niquests-top",
  "undici-request",
  "undici-fetch",
  "node-http",
  "node-http2",
  "got",
  "axios",
] as const;
export const ALL_SCENARIOS = ["a", "b", "c", "d", "e", "f", "g"] as const;
export const ALL_SERVERS = ["nginx", "node-http"] as const;

/** Resolved benchmark options. */
export interface BenchOptions {
  quick: boolean;
  rounds: number;
  durationMs: number;
  warmupMs: number;
  concurrency: number;
  connections: number;
  burst: number;
  burstConnections: number;
  delayMs: number;
  scenarios: string[];
  clients: string[];
  servers: string[];
  /** undefined: no JSON; "-": JSON on stdout (tables go to stderr); else a file path. */
  json: string | undefined;
  /** Markdown results file; undefined: none. */
  results: string | undefined;
  /** Free text recorded with the results (what else ran on the machine). */
  note: string | undefined;
}

export const DEFAULT_RESULTS = "bench/RESULTS.md";

export const USAGE = `usage: npm run bench -- [options]
  --quick             3 rounds of 400 ms: a smoke run, writes no RESULTS.md
  --rounds N          rounds per scenario, entry order rotates each round (default 5)
  --duration MS       measured time per entry per round (default 1000)
  --warmup MS         unmeasured warm-up per client process (default 300)
  --concurrency N     in-flight requests in scenario b (default 64)
  --connections N     connection limit of every client in a, b, c, e (default 10)
  --burst N           concurrent requests in scenario f (default 10000)
  --burst-connections N  connection limit in scenario f (default 256)
  --delay MS          server delay of scenario f's endpoint (default 50)
  --scenarios a,b     subset of ${ALL_SCENARIOS.join(",")}
  --clients a,b       subset of ${ALL_CLIENTS.join(",")}
  --servers a,b       servers for a and b: subset of ${ALL_SERVERS.join(",")} (default nginx)
  --json[=FILE]       JSON results to FILE, or to stdout (tables then go to stderr)
  --results=FILE      Markdown results (default ${DEFAULT_RESULTS} for a full run, else none)
  --note TEXT         a note on machine load, written into the results`;

function int(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new Error(`${flag} must be a positive integer`);
  return number;
}

function subset(value: string | undefined, all: readonly string[], flag: string): string[] | undefined {
  if (value === undefined) return undefined;
  const picked = value.split(",").map((item) => item.trim());
  const unknown = picked.filter((item) => !all.includes(item));
  if (unknown.length > 0)
    throw new Error(`${flag}: unknown ${unknown.join(", ")} (known: ${all.join(", ")})`);
  return picked;
}

/** Parses `argv` (without node and script); throws with a readable message on bad input. */
export function parseBenchOptions(argv: string[]): BenchOptions | "help" {
  // `--json` alone means stdout; parseArgs cannot express an optional value, so split it off.
  let json: string | undefined;
  const rest = argv.filter((arg) => {
    if (arg === "--json") json = "-";
    else if (arg.startsWith("--json=")) json = arg.slice("--json=".length) || "-";
    else return true;
    return false;
  });
  const { values } = parseArgs({
    args: rest,
    options: {
      quick: { type: "boolean" },
      rounds: { type: "string" },
      duration: { type: "string" },
      warmup: { type: "string" },
      concurrency: { type: "string" },
      connections: { type: "string" },
      burst: { type: "string" },
      "burst-connections": { type: "string" },
      delay: { type: "string" },
      scenarios: { type: "string" },
      clients: { type: "string" },
      servers: { type: "string" },
      results: { type: "string" },
      note: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) return "help";
  const quick = values.quick === true;
  const scenarios = subset(values.scenarios, ALL_SCENARIOS, "--scenarios");
  const clients = subset(values.clients, ALL_CLIENTS, "--clients");
  const rounds = int(values.rounds, "--rounds", quick ? 3 : 5);
  // A recorded run is the full one: every scenario and client, at least 5 rounds.
  const full = !quick && scenarios === undefined && clients === undefined && rounds >= 5;
  return {
    quick,
    rounds,
    durationMs: int(values.duration, "--duration", quick ? 400 : 1000),
    warmupMs: values.warmup === "0" ? 0 : int(values.warmup, "--warmup", quick ? 150 : 300),
    concurrency: int(values.concurrency, "--concurrency", 64),
    connections: int(values.connections, "--connections", 10),
    burst: int(values.burst, "--burst", 10_000),
    burstConnections: int(values["burst-connections"], "--burst-connections", 256),
    delayMs: int(values.delay, "--delay", 50),
    scenarios: scenarios ?? [...ALL_SCENARIOS],
    clients: clients ?? [...ALL_CLIENTS],
    servers: subset(values.servers, ALL_SERVERS, "--servers") ?? ["nginx"],
    json,
    results: values.results ?? (full ? DEFAULT_RESULTS : undefined),
    note: values.note,
  };
}
