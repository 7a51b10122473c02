/** Summaries of one benchmark scenario, as a fixed-width text table and as a Markdown table. */

/** Everything measured for one entry (a client, or a ceiling tool) in one scenario. */
export interface EntryRuns {
  name: string;
  /** One value per successful round, in the scenario's unit. */
  values: number[];
  /** HTTP versions the entry reported, one per round. */
  versions: string[];
  /** A second figure per round when the scenario has one (peak RSS in f). */
  extras: number[];
  /** First failure, if any; a failed entry is not run again in that scenario. */
  error: string | undefined;
}

/** One line of a scenario table. */
export interface EntrySummary {
  name: string;
  version: string;
  median: number | null;
  min: number | null;
  max: number | null;
  extraMedian: number | null;
  rounds: number;
  /** median / the baseline's median; null when either is missing. */
  ratioToBaseline: number | null;
  /** median / the ceiling's median; null without a ceiling. */
  ratioToCeiling: number | null;
  error: string | null;
}

/** How a scenario's figures read. */
export interface TableSpec {
  unit: string;
  /** Label of the ratio column, e.g. "vs undici.request". */
  baselineLabel: string;
  ceilingLabel: string | null;
  extraLabel: string | null;
  decimals: number;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function summarize(
  runs: readonly EntryRuns[],
  baseline: string,
  ceiling: string | null,
): EntrySummary[] {
  const medianOf = (name: string | null): number | null =>
    name === null
      ? null
      : median(runs.find((run) => run.name === name && run.error === undefined)?.values ?? []);
  const base = medianOf(baseline);
  const top = medianOf(ceiling);
  return runs.map((run) => {
    const failed = run.error !== undefined;
    const mid = failed ? null : median(run.values);
    const ratio = (to: number | null): number | null => (mid === null || to === null ? null : mid / to);
    return {
      name: run.name,
      version: [...new Set(run.versions)].join(",") || "-",
      median: mid,
      min: failed || run.values.length === 0 ? null : Math.min(...run.values),
      max: failed || run.values.length === 0 ? null : Math.max(...run.values),
      extraMedian: failed ? null : median(run.extras),
      rounds: run.values.length,
      ratioToBaseline: ratio(base),
      ratioToCeiling: run.name === ceiling ? null : ratio(top),
      error: run.error ?? null,
    };
  });
}

function number(value: number, decimals: number): string {
  return value.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

const ratio = (value: number | null): string => (value === null ? "-" : `${value.toFixed(2)}×`);

/** Header and rows shared by both formats; an error row carries its message in column 2. */
function rows(spec: TableSpec, summaries: readonly EntrySummary[]): { header: string[]; body: string[][] } {
  const header = ["client", "HTTP", `median ${spec.unit}`, "min–max", spec.baselineLabel];
  if (spec.ceilingLabel !== null) header.push(spec.ceilingLabel);
  if (spec.extraLabel !== null) header.push(spec.extraLabel);
  const body = summaries.map((s) => {
    if (s.error !== null || s.median === null) {
      return [s.name, `n/a (${s.error ?? "no successful round"})`];
    }
    const row = [
      s.name,
      s.version,
      number(s.median, spec.decimals),
      `${number(s.min ?? 0, spec.decimals)}–${number(s.max ?? 0, spec.decimals)}`,
      ratio(s.ratioToBaseline),
    ];
    if (spec.ceilingLabel !== null) row.push(ratio(s.ratioToCeiling));
    if (spec.extraLabel !== null)
      row.push(s.extraMedian === null ? "-" : number(s.extraMedian, spec.decimals));
    return row;
  });
  return { header, body };
}

/** Fixed-width text table for the terminal. */
export function formatTable(title: string, spec: TableSpec, summaries: readonly EntrySummary[]): string {
  const { header, body } = rows(spec, summaries);
  // An n/a message spans the remaining columns, so it does not size them.
  const sized = [header, ...body.filter((row) => row.length === header.length)];
  const widths = header.map((_, i) => Math.max(...sized.map((row) => row[i]?.length ?? 0)));
  widths[0] = Math.max(...[header, ...body].map((row) => row[0]!.length));
  const line = (row: string[]): string =>
    row.length < header.length
      ? `${row[0]!.padEnd(widths[0]!)}  ${row[1]}`
      : row
          .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
          .join("  ")
          .trimEnd();
  const rule = "-".repeat(widths.reduce((sum, w) => sum + w + 2, -2));
  return [title, line(header), rule, ...body.map(line)].join("\n");
}

/** The same table in Markdown. */
export function formatMarkdownTable(spec: TableSpec, summaries: readonly EntrySummary[]): string {
  const { header, body } = rows(spec, summaries);
  const line = (row: string[]): string => `| ${row.join(" | ")} |`;
  const align = header.map((_, i) => (i < 2 ? "---" : "---:"));
  const full = body.map((row) =>
    row.length < header.length ? [row[0]!, row[1]!, ...Array(header.length - 2).fill("")] : row,
  );
  return [line(header), line(align), ...full.map(line)].join("\n");
}
