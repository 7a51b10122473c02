/** Summaries and the printed table of one benchmark scenario. */

/** Everything measured for one client in one scenario. */
export interface ClientRuns {
  client: string;
  /** Requests per second, one entry per successful round. */
  rps: number[];
  /** First failure, if any; a failed client is not run again in that scenario. */
  error: string | undefined;
}

/** One client's line of a scenario table. */
export interface ClientSummary {
  client: string;
  median: number | null;
  min: number | null;
  max: number | null;
  rounds: number;
  /** median / median of undici-request; null when either is missing. */
  ratioToUndici: number | null;
  error: string | null;
}

export const BASELINE_CLIENT = "undici-request";

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function summarize(runs: readonly ClientRuns[]): ClientSummary[] {
  const baseline = median(runs.find((run) => run.client === BASELINE_CLIENT)?.rps ?? []);
  return runs.map((run) => {
    const mid = median(run.rps);
    const failed = run.error !== undefined;
    return {
      client: run.client,
      median: failed ? null : mid,
      min: failed || run.rps.length === 0 ? null : Math.min(...run.rps),
      max: failed || run.rps.length === 0 ? null : Math.max(...run.rps),
      rounds: run.rps.length,
      ratioToUndici: failed || mid === null || baseline === null ? null : mid / baseline,
      error: run.error ?? null,
    };
  });
}

const whole = (value: number): string => Math.round(value).toLocaleString("en-US");

/** Fixed-width text table: client, median req/s, min–max, ratio to undici.request. */
export function formatTable(title: string, summaries: readonly ClientSummary[]): string {
  const header = ["client", "median req/s", "min–max req/s", "vs undici.request"];
  const rows = summaries.map((s) =>
    s.error !== null || s.median === null
      ? [s.client, `n/a (error: ${s.error ?? "no successful round"})`, "", ""]
      : [
          s.client,
          whole(s.median),
          `${whole(s.min ?? 0)}–${whole(s.max ?? 0)}`,
          s.ratioToUndici === null ? "-" : `${s.ratioToUndici.toFixed(2)}×`,
        ],
  );
  // An n/a message spans the remaining columns, so it does not size them.
  const sized = rows.filter((row) => row[2] !== "");
  const widths = header.map((cell, i) => Math.max(cell.length, ...sized.map((row) => row[i]!.length)));
  widths[0] = Math.max(widths[0]!, ...rows.map((row) => row[0]!.length));
  const line = (row: string[]): string =>
    row[2] === "" && row !== header
      ? `${row[0]!.padEnd(widths[0]!)}  ${row[1]}`
      : row
          .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
          .join("  ")
          .trimEnd();
  const rule = "-".repeat(widths.reduce((sum, w) => sum + w + 2, -2));
  return [title, line(header), rule, ...rows.map(line)].join("\n");
}
