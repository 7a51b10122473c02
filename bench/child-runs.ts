/**
 * Child processes of the bench: one benchmark client per run (bench/clients/*.ts, which prints
 * one JSON line), and the C tools that give the ceiling (wrk, h2load), whose text is parsed.
 */
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ClientResult } from "./clients/driver.ts";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));

export const WRK = "/usr/bin/wrk";
export const H2LOAD = "/usr/bin/h2load";

interface Output {
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; rejects with its first error line unless it exits 0. */
function run(command: string, args: string[], limitMs: number, env?: NodeJS.ProcessEnv): Promise<Output> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: env ?? process.env,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const limit = setTimeout(() => child.kill("SIGKILL"), limitMs);
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(limit);
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(firstErrorLine(stderr || stdout) ?? `exited with ${signal ?? `code ${code}`}`));
    });
  });
}

function firstErrorLine(text: string): string | undefined {
  const lines = text.split("\n").map((line) => line.trim());
  const line = lines.find((l) => /^\w*Error\b|^Error \[|error:/i.test(l)) ?? lines.find((l) => l !== "");
  if (line === undefined) return undefined;
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

/** Runs `bench/clients/<script>.ts` with driver flags; resolves with its JSON result line. */
export async function runClientProcess<T = ClientResult>(
  script: string,
  flags: Record<string, string | number | undefined>,
  limitMs: number,
  extraArgs: string[] = [],
): Promise<T> {
  const args = ["--import", "tsx", `bench/clients/${script}.ts`, ...extraArgs];
  for (const [name, value] of Object.entries(flags)) if (value !== undefined) args.push(`--${name}=${value}`);
  const { stdout } = await run(process.execPath, args, limitMs);
  const last = stdout.trim().split("\n").at(-1) ?? "";
  if (!last.startsWith("{")) throw new Error(`no result line from ${script}`);
  return JSON.parse(last) as T;
}

export function hasTool(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/** wrk with one thread (one core, like each Node client) and `connections` connections. */
export async function runWrk(
  url: string,
  connections: number,
  durationMs: number,
): Promise<{ rps: number; bytesPerSec: number }> {
  // wrk takes whole seconds.
  const seconds = Math.max(1, Math.round(durationMs / 1000));
  const { stdout } = await run(
    WRK,
    ["-t1", `-c${connections}`, `-d${seconds}s`, url],
    seconds * 1000 + 30_000,
  );
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  const transfer = /Transfer\/sec:\s+([\d.]+)([KMGT]?B)/.exec(stdout);
  if (!rps || !transfer) throw new Error(`unexpected wrk output: ${stdout.slice(0, 120)}`);
  if (/Non-2xx|Socket errors/.test(stdout)) throw new Error(`wrk saw errors: ${stdout.replace(/\s+/g, " ")}`);
  return { rps: Number(rps[1]), bytesPerSec: Number(transfer[1]) * (UNITS[transfer[2]!] ?? 1) };
}

/** h2load: `clients` connections, `streams` concurrent streams each, `requests` in total. */
export async function runH2load(
  url: string,
  clients: number,
  streams: number,
  requests: number,
): Promise<number> {
  const { stdout } = await run(
    H2LOAD,
    [`-c${clients}`, `-m${streams}`, `-n${requests}`, "-t1", url],
    120_000,
  );
  const match = /finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(stdout);
  const done = /requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded/.exec(stdout);
  if (!match || !done) throw new Error(`unexpected h2load output: ${stdout.slice(0, 160)}`);
  if (done[2] !== String(requests)) throw new Error(`h2load: only ${done[2]} of ${requests} succeeded`);
  if (!/Application protocol: h2/.test(stdout)) throw new Error("h2load did not negotiate h2");
  return Number(match[1]);
}

// Plain Node, no loader: what a user's `import` costs. argv[1] is the specifier.
const IMPORT_TIMER =
  "const t = performance.now(); await import(process.argv[1]); console.log(performance.now() - t);";

/** Wall time of `await import(specifier)` in a fresh Node process, in ms. */
export async function runImportTime(specifier: string): Promise<number> {
  const { stdout } = await run(
    process.execPath,
    ["--input-type=module", "-e", IMPORT_TIMER, specifier],
    30_000,
  );
  const ms = Number(stdout.trim().split("\n").at(-1));
  if (!Number.isFinite(ms)) throw new Error(`unexpected import-time output: ${stdout.slice(0, 80)}`);
  return ms;
}
