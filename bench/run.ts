/**
 * `npm run bench`: sequential and 64-concurrent tiny GETs against nginx and a node:http server,
 * every client in its own child process, client order rotating each round, side by side in one
 * run. Prints one table per scenario; see bench-options.ts for flags. Never asserts speed.
 */
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { NGINX_TINY_BODY, startNginx } from "../test/peers/nginx.ts";
import { type PeerProcess, startPeerProcess } from "../test/peers/peer-process.ts";
import { type BenchOptions, parseBenchOptions, USAGE } from "./bench-options.ts";
import type { ClientResult } from "./clients/driver.ts";
import { type ClientRuns, type ClientSummary, formatTable, summarize } from "./results-table.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TINY_BYTES = Buffer.byteLength(NGINX_TINY_BODY);

interface Target {
  name: string;
  url: string;
  stop(): Promise<void>;
}

interface ScenarioReport {
  server: string;
  mode: string;
  url: string;
  clients: ClientSummary[];
  rounds: Record<string, number[]>;
}

async function startTargets(names: string[]): Promise<Target[]> {
  const targets: Target[] = [];
  try {
    for (const name of names) {
      if (name === "nginx") {
        const nginx = await startNginx();
        if (nginx === null) throw new Error("nginx is not installed: run `bash scripts/install-peers.sh`");
        targets.push({ name, url: `${nginx.url}/tiny`, stop: () => nginx.stop() });
      } else {
        const server: PeerProcess = await startPeerProcess({
          name: "node-http-server",
          command: process.execPath,
          args: (port) => ["--import", "tsx", "bench/servers/node-http-server.ts", String(port)],
          cwd: ROOT,
          readiness: { kind: "http", path: "/tiny" },
        });
        targets.push({ name, url: `http://127.0.0.1:${server.port}/tiny`, stop: () => server.stop() });
      }
    }
    return targets;
  } catch (error) {
    await Promise.all(targets.map((target) => target.stop()));
    throw error;
  }
}

/** Runs one client process for one round; resolves with its result or a one-line error. */
function runClient(client: string, url: string, mode: string, options: BenchOptions): Promise<ClientResult> {
  const args = [
    "--import",
    "tsx",
    `bench/clients/${client}.ts`,
    `--url=${url}`,
    `--mode=${mode}`,
    `--duration=${options.durationMs}`,
    `--warmup=${options.warmupMs}`,
    `--concurrency=${options.concurrency}`,
    `--connections=${options.connections}`,
    `--expect-bytes=${TINY_BYTES}`,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const limit = setTimeout(() => child.kill("SIGKILL"), options.warmupMs + options.durationMs + 60_000);
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(limit);
      const last = stdout.trim().split("\n").at(-1) ?? "";
      if (code === 0 && last.startsWith("{")) {
        resolve(JSON.parse(last) as ClientResult);
        return;
      }
      reject(new Error(firstErrorLine(stderr) ?? `exited with ${signal ?? `code ${code}`}`));
    });
  });
}

function firstErrorLine(stderr: string): string | undefined {
  const lines = stderr.split("\n").map((line) => line.trim());
  const line = lines.find((l) => /^\w*Error\b|^Error \[|error:/i.test(l)) ?? lines.find((l) => l !== "");
  if (line === undefined) return undefined;
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

async function runScenario(target: Target, mode: string, options: BenchOptions): Promise<ScenarioReport> {
  const runs: ClientRuns[] = options.clients.map((client) => ({ client, rps: [], error: undefined }));
  for (let round = 0; round < options.rounds; round++) {
    // Rotate the order each round so no client always runs first (cold CPU) or last.
    const order = runs.map((_, i) => runs[(i + round) % runs.length]!);
    for (const run of order) {
      if (run.error !== undefined) continue;
      try {
        const result = await runClient(run.client, target.url, mode, options);
        run.rps.push(result.rps);
        progress(`  round ${round + 1}/${options.rounds} ${run.client}: ${Math.round(result.rps)} req/s`);
      } catch (error) {
        run.error = error instanceof Error ? error.message : String(error);
        progress(`  round ${round + 1}/${options.rounds} ${run.client}: n/a (${run.error})`);
      }
    }
  }
  return {
    server: target.name,
    mode,
    url: target.url,
    clients: summarize(runs),
    rounds: Object.fromEntries(runs.map((run) => [run.client, run.rps])),
  };
}

function describeMode(mode: string, options: BenchOptions): string {
  return mode === "seq" ? "sequential" : `${options.concurrency} concurrent`;
}

function environment(): Record<string, string | number> {
  const version = (path: string): string => {
    try {
      return (JSON.parse(readFileSync(new URL(path, import.meta.url), "utf8")) as { version: string })
        .version;
    } catch {
      return "unknown";
    }
  };
  // nginx -v prints its version on stderr.
  const nginxVersion = spawnSync("/usr/sbin/nginx", ["-v"], { encoding: "utf8" });
  const nginx = nginxVersion.stderr?.trim().replace(/^nginx version: /, "") || "unknown";
  return {
    node: process.version,
    undici: version("../node_modules/undici/package.json"),
    nginx,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
  };
}

// With --json on stdout, everything human-readable goes to stderr.
let out: (text: string) => void = (text) => process.stdout.write(`${text}\n`);
function progress(text: string): void {
  process.stderr.write(`${text}\n`);
}

async function main(): Promise<void> {
  const parsed = parseBenchOptions(process.argv.slice(2));
  if (parsed === "help") {
    console.log(USAGE);
    return;
  }
  const options = parsed;
  if (options.json === "-") out = (text) => process.stderr.write(`${text}\n`);
  const env = environment();
  out(
    `niquests bench: tiny GET (${TINY_BYTES}-byte body), ${options.rounds} rounds × ${options.durationMs} ms ` +
      `per client (+${options.warmupMs} ms warm-up), ${options.connections} connections per client`,
  );
  out(
    Object.entries(env)
      .map(([key, value]) => `${key} ${value}`)
      .join(", "),
  );
  const targets = await startTargets(options.servers);
  const reports: ScenarioReport[] = [];
  try {
    for (const target of targets) {
      for (const mode of options.modes) {
        progress(`${target.name} / ${describeMode(mode, options)} ...`);
        const report = await runScenario(target, mode, options);
        reports.push(report);
        out(
          `\n${formatTable(`${target.name} ${target.url}: ${describeMode(mode, options)} GETs`, report.clients)}`,
        );
      }
    }
  } finally {
    await Promise.all(targets.map((target) => target.stop()));
  }
  if (options.json !== undefined) {
    const json = JSON.stringify(
      { date: new Date().toISOString(), environment: env, options, reports },
      null,
      2,
    );
    if (options.json === "-") process.stdout.write(`${json}\n`);
    else {
      writeFileSync(options.json, `${json}\n`);
      out(`\nJSON written to ${options.json}`);
    }
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
