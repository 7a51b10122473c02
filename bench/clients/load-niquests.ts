/**
 * Loads niquests the way users run it: the built `dist/` (plain JavaScript), not the TypeScript
 * source through tsx, whose transform adds a `__name()` call per closure created on the hot path.
 * NIQUESTS_BENCH_SOURCE=src loads `src/` instead (the CI smoke test, which runs before a build);
 * NIQUESTS_BENCH_DIST=/other/dist loads another build (before/after comparisons of a change).
 */
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as Niquests from "../../src/index.ts";

export type NiquestsModule = typeof Niquests;

export async function loadNiquests(): Promise<NiquestsModule> {
  if (process.env.NIQUESTS_BENCH_SOURCE === "src") return import("../../src/index.ts");
  const other = process.env.NIQUESTS_BENCH_DIST;
  const dist =
    other === undefined
      ? new URL("../../dist/index.js", import.meta.url)
      : pathToFileURL(`${other}/index.js`);
  if (!existsSync(fileURLToPath(dist))) throw new Error("dist/ is missing: run `npm run build` first");
  return (await import(dist.href)) as NiquestsModule;
}

/** `r.httpVersion` (11, 20, …) as "1.1" or "2". */
export function versionName(httpVersion: number): string {
  return httpVersion % 10 === 0 ? String(httpVersion / 10) : (httpVersion / 10).toFixed(1);
}
