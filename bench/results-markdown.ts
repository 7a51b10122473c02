/** Writes bench/RESULTS.md: machine, versions, load, one table per scenario and the targets. */
import { writeFileSync } from "node:fs";
import type { BenchOptions } from "./bench-options.ts";
import { type EntrySummary, formatMarkdownTable } from "./results-table.ts";
import type { Scenario } from "./scenarios.ts";
import { formatTargets, type TargetCheck } from "./targets.ts";

export interface ScenarioReport {
  scenario: Scenario;
  summaries: EntrySummary[];
}

export interface RunRecord {
  date: string;
  durationS: number;
  environment: Record<string, string | number>;
  loadBefore: number[];
  loadAfter: number[];
  options: BenchOptions;
  reports: ScenarioReport[];
  targets: TargetCheck[];
}

export function formatResultsMarkdown(record: RunRecord): string {
  const { options } = record;
  const env = Object.entries(record.environment)
    .map(([key, value]) => `${key} ${value}`)
    .join(", ");
  const load = (values: number[]): string => values.map((v) => v.toFixed(2)).join(" / ");
  const lines = [
    "# Benchmark results",
    "",
    `Recorded by \`npm run bench\` on ${record.date} (${Math.round(record.durationS)} s). Written by the script; do not edit by hand.`,
    "",
    `- Machine: ${env}.`,
    `- Load average (1/5/15 min) before: ${load(record.loadBefore)}, after: ${load(record.loadAfter)}.`,
    `- Method: every client in its own child process, entry order rotating each round; ${options.rounds} rounds × ${options.durationMs} ms (+${options.warmupMs} ms warm-up per process). Medians with min–max over the rounds; ratios are of medians in this run.`,
  ];
  if (options.note !== undefined) lines.push(`- Note: ${options.note}`);
  lines.push("", "## Targets", "", ...formatTargets(record.targets).map((line) => `- ${line}`));
  for (const { scenario, summaries } of record.reports) {
    lines.push(
      "",
      `## ${scenario.title}`,
      "",
      scenario.description,
      "",
      formatMarkdownTable(scenario.spec, summaries),
    );
  }
  return `${lines.join("\n")}\n`;
}

export function writeResultsMarkdown(path: string, record: RunRecord): void {
  writeFileSync(path, formatResultsMarkdown(record));
}
