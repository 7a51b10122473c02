/** Command-line options of `npm run bench`. */
import { parseArgs } from "node:util";

export const ALL_CLIENTS = ["undici-request", "node-http", "niquests-session"] as const;
export const ALL_SERVERS = ["nginx", "node-http"] as const;
export const ALL_MODES = ["seq", "conc"] as const;

/** Resolved benchmark options. */
export interface BenchOptions {
  rounds: number;
  durationMs: number;
  warmupMs: number;
  concurrency: number;
  connections: number;
  clients: string[];
  servers: string[];
  modes: string[];
  /** undefined: no JSON; "-": JSON on stdout (tables go to stderr); else a file path. */
  json: string | undefined;
}

export const USAGE = `usage: npm run bench -- [options]
  --rounds N         rounds per scenario, client order rotates each round (default 5)
  --duration MS      measured time per client per round (default 1500)
  --warmup MS        unmeasured warm-up per client process (default 300)
  --concurrency N    in-flight requests in the concurrent scenario (default 64)
  --connections N    connection limit of every client (default 10)
  --clients a,b      subset of ${ALL_CLIENTS.join(",")}
  --servers a,b      subset of ${ALL_SERVERS.join(",")}
  --modes a,b        subset of ${ALL_MODES.join(",")}
  --json[=FILE]      JSON results to FILE, or to stdout (tables then go to stderr)`;

function int(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new Error(`${flag} must be a positive integer`);
  return number;
}

function subset(value: string | undefined, all: readonly string[], flag: string): string[] {
  if (value === undefined) return [...all];
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
      rounds: { type: "string" },
      duration: { type: "string" },
      warmup: { type: "string" },
      concurrency: { type: "string" },
      connections: { type: "string" },
      clients: { type: "string" },
      servers: { type: "string" },
      modes: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) return "help";
  return {
    rounds: int(values.rounds, "--rounds", 5),
    durationMs: int(values.duration, "--duration", 1500),
    warmupMs: values.warmup === "0" ? 0 : int(values.warmup, "--warmup", 300),
    concurrency: int(values.concurrency, "--concurrency", 64),
    connections: int(values.connections, "--connections", 10),
    clients: subset(values.clients, ALL_CLIENTS, "--clients"),
    servers: subset(values.servers, ALL_SERVERS, "--servers"),
    modes: subset(values.modes, ALL_MODES, "--modes"),
    json,
  };
}
