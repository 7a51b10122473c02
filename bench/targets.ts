/** The targets of issue 6, checked against one run's medians (ratios within that run). */
import type { EntrySummary } from "./results-table.ts";

/** A scenario's summaries, by scenario id. */
export type SummariesById = ReadonlyMap<string, readonly EntrySummary[]>;

export interface TargetCheck {
  scenario: string;
  target: string;
  /** The measured ratio, or null when an entry is missing or failed. */
  measured: number | null;
  /** null: recorded only, no threshold. */
  met: boolean | null;
  /** Context a reader needs, e.g. the HTTP version niquests negotiated. */
  note?: string;
}

function medianOf(summaries: SummariesById, id: string, name: string): number | null {
  return summaries.get(id)?.find((s) => s.name === name)?.median ?? null;
}

function ratio(summaries: SummariesById, id: string, name: string, to: string): number | null {
  const a = medianOf(summaries, id, name);
  const b = medianOf(summaries, id, to);
  return a === null || b === null || b === 0 ? null : a / b;
}

function atLeast(
  scenario: string,
  target: string,
  measured: number | null,
  threshold: number | null,
): TargetCheck {
  return {
    scenario,
    target,
    measured,
    met: measured === null || threshold === null ? null : measured >= threshold,
  };
}

const SESSION = "niquests-session";

export function checkTargets(summaries: SummariesById): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const push = (check: TargetCheck): void => {
    if (summaries.has(check.scenario)) checks.push(check);
  };
  push(atLeast("a", "Session ≥ 1.3× undici.request", ratio(summaries, "a", SESSION, "undici-request"), 1.3));
  push(atLeast("b", "Session ≥ 1.3× undici.request", ratio(summaries, "b", SESSION, "undici-request"), 1.3));
  push(atLeast("c", "Session ≥ 1.0× node:http", ratio(summaries, "c", SESSION, "node-http"), 1.0));
  push(atLeast("c", "Session ≥ 0.75× wrk", ratio(summaries, "c", SESSION, "wrk (ceiling)"), 0.75));
  const h2 = atLeast("d", "Session ≥ 1.0× raw node:http2", ratio(summaries, "d", SESSION, "node-http2"), 1.0);
  const version = summaries.get("d")?.find((s) => s.name === SESSION)?.version;
  if (version !== undefined && version !== "2")
    h2.note = `niquests spoke HTTP/${version} here, one request at a time`;
  push(h2);
  push(
    atLeast(
      "e",
      "features cost ≤ 10% (on/off ≥ 0.90×)",
      ratio(summaries, "e", `${SESSION}, features on`, `${SESSION}, features off`),
      0.9,
    ),
  );
  push(
    atLeast(
      "f",
      "recorded: memory growth vs undici.request (lower is better)",
      ratio(summaries, "f", SESSION, "undici-request"),
      null,
    ),
  );
  push(
    atLeast(
      "g",
      "recorded: import time vs undici (lower is better)",
      ratio(summaries, "g", "niquests", "undici"),
      null,
    ),
  );
  return checks;
}

export function formatTargets(checks: readonly TargetCheck[]): string[] {
  return checks.map((check) => {
    const value = check.measured === null ? "n/a" : `${check.measured.toFixed(2)}×`;
    const status = check.met === null ? "recorded" : check.met ? "MET" : "missed";
    const note = check.note === undefined ? "" : ` (${check.note})`;
    return `(${check.scenario}) ${check.target}: ${value} — ${status}${note}`;
  });
}
