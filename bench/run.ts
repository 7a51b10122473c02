/**
 * `npm run bench`: the scenarios of issue 6 side by side in one run, against nginx (and a
 * node:http server for the delayed endpoint) started here on loopback. Every client runs in its
 * own child process, entry order rotating each round; the C tools give the ceiling. Prints one
 * table per scenario and writes bench/RESULTS.md on a full run. Never asserts speed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { type PeerProcess, startPeerProcess } from "../test/peers/peer-process.ts";
import { type BenchOptions, parseBenchOptions, USAGE } from "./bench-options.ts";
import { H2LOAD, hasTool, ROOT, WRK } from "./child-runs.ts";
import { type RunRecord, type ScenarioReport, writeResultsMarkdown } from "./results-markdown.ts";
import { type EntryRuns, formatTable, summarize } from "./results-table.ts";
import { type BenchServers, buildScenarios, type Scenario } from "./scenarios.ts";
import { type BenchNginx, startBenchNginx } from "./servers/nginx-bench.ts";
import { checkTargets, formatTargets } from "./targets.ts";

// With --json on stdout, everything human-readable goes to stderr.
let out: (text: string) => void = (text) => process.stdout.write(`${text}\n`);
function progress(text: string): void {
  process.stderr.write(`${text}\n`);
}

async function runScenario(scenario: Scenario, options: BenchOptions): Promise<ScenarioReport> {
  const runs: EntryRuns[] = scenario.entries.map((entry) => ({
    name: entry.name,
    values: [],
    versions: [],
    extras: [],
    error: undefined,
  }));
  for (let round = 0; round < options.rounds; round++) {
    // Rotate the order each round so no entry always runs first (cold CPU) or last.
    for (let k = 0; k < runs.length; k++) {
      const i = (k + round) % runs.length;
      const run = runs[i]!;
      if (run.error !== undefined) continue;
      try {
        const m = await scenario.entries[i]!.measure();
        run.values.push(m.value);
        run.versions.push(m.version);
        if (m.extra !== undefined) run.extras.push(m.extra);
        progress(
          `  round ${round + 1}/${options.rounds} ${run.name}: ${m.value.toFixed(1)} ${scenario.spec.unit}`,
        );
      } catch (error) {
        run.error = error instanceof Error ? error.message : String(error);
        progress(`  round ${round + 1}/${options.rounds} ${run.name}: n/a (${run.error})`);
      }
    }
  }
  return { scenario, summaries: summarize(runs, scenario.baseline, scenario.ceiling) };
}

function packageVersion(name: string): string {
  try {
    const path = join(ROOT, "node_modules", name, "package.json");
    return (JSON.parse(readFileSync(path, "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

function toolVersion(command: string, args: string[], pattern: RegExp): string {
  const result = spawnSync(command, args, { encoding: "utf8" });
  return pattern.exec(`${result.stdout ?? ""}${result.stderr ?? ""}`)?.[1] ?? "unknown";
}

function environment(): Record<string, string | number> {
  const self = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
  return {
    node: process.version,
    niquests: self.version,
    undici: packageVersion("undici"),
    got: packageVersion("got"),
    axios: packageVersion("axios"),
    nginx: toolVersion("/usr/sbin/nginx", ["-v"], /nginx\/([\d.]+)/),
    wrk: hasTool(WRK) ? toolVersion(WRK, ["-v"], /wrk (?:debian\/)?([\d.]+)/) : "missing",
    h2load: hasTool(H2LOAD) ? toolVersion(H2LOAD, ["--version"], /nghttp2\/([\d.]+)/) : "missing",
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
  };
}

async function startServers(
  options: BenchOptions,
): Promise<{ servers: BenchServers; stop(): Promise<void> }> {
  const nginx: BenchNginx = await startBenchNginx();
  let node: PeerProcess | null = null;
  if (options.scenarios.includes("f") || options.servers.includes("node-http")) {
    try {
      node = await startPeerProcess({
        name: "node-http-server",
        command: process.execPath,
        args: (port) => ["--import", "tsx", "bench/servers/node-http-server.ts", String(port)],
        cwd: ROOT,
        readiness: { kind: "http", path: "/tiny" },
      });
    } catch (error) {
      await nginx.stop();
      throw error;
    }
  }
  return {
    servers: { nginx, node: node === null ? null : `http://127.0.0.1:${node.port}` },
    async stop() {
      await Promise.all([nginx.stop(), node?.stop()]);
    },
  };
}

async function main(): Promise<void> {
  const parsed = parseBenchOptions(process.argv.slice(2));
  if (parsed === "help") {
    console.log(USAGE);
    return;
  }
  const options = parsed;
  if (options.json === "-") out = (text) => process.stderr.write(`${text}\n`);
  if (!existsSync(join(ROOT, "dist", "index.js"))) {
    throw new Error(
      "dist/ is missing: `npm run bench` builds it; with `node bench/run.ts` run `npm run build` first",
    );
  }
  const missingTools = [WRK, H2LOAD].filter((tool) => !hasTool(tool));
  if (missingTools.length > 0) {
    out(
      `note: ${missingTools.join(", ")} missing, so no ceiling: run \`bash scripts/install-bench-tools.sh\``,
    );
  }
  const started = performance.now();
  const loadBefore = loadavg();
  const env = environment();
  out(
    `niquests bench: ${options.rounds} rounds × ${options.durationMs} ms (+${options.warmupMs} ms warm-up)${options.quick ? ", --quick" : ""}`,
  );
  out(
    Object.entries(env)
      .map(([key, value]) => `${key} ${value}`)
      .join(", "),
  );
  out(`load average ${loadBefore.map((v) => v.toFixed(2)).join(" / ")}`);
  const { servers, stop } = await startServers(options);
  const reports: ScenarioReport[] = [];
  try {
    for (const scenario of buildScenarios(servers, options)) {
      progress(`${scenario.title} ...`);
      const report = await runScenario(scenario, options);
      reports.push(report);
      out(`\n${formatTable(scenario.title, scenario.spec, report.summaries)}`);
    }
  } finally {
    await stop();
  }
  const targets = checkTargets(new Map(reports.map((r) => [r.scenario.id, r.summaries])));
  out(`\nTargets (ratios of medians in this run):\n${formatTargets(targets).join("\n")}`);
  const record: RunRecord = {
    date: new Date().toISOString(),
    durationS: (performance.now() - started) / 1000,
    environment: env,
    loadBefore,
    loadAfter: loadavg(),
    options,
    reports,
    targets,
  };
  out(`\nfinished in ${Math.round(record.durationS)} s`);
  if (options.results !== undefined) {
    writeResultsMarkdown(options.results, record);
    out(`results written to ${options.results}`);
  }
  if (options.json !== undefined) {
    const json = JSON.stringify(
      {
        ...record,
        reports: reports.map((r) => ({ id: r.scenario.id, title: r.scenario.title, summaries: r.summaries })),
      },
      null,
      2,
    );
    if (options.json === "-") process.stdout.write(`${json}\n`);
    else {
      writeFileSync(options.json, `${json}\n`);
      out(`JSON written to ${options.json}`);
    }
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
