#!/usr/bin/env node
// `npm test` entry. Node 20's `--test` takes no glob, so collect **/*.test.ts under the given
// directories (default: test/ and examples/) ourselves and hand the sorted list to one runner process.
// Usage: node scripts/run-tests.mjs [dir-or-file ...] [-- extra node --test flags]
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const argv = process.argv.slice(2);
const separator = argv.indexOf("--");
const positional = separator === -1 ? argv : argv.slice(0, separator);
const passThrough = separator === -1 ? [] : argv.slice(separator + 1);
// Flags given without "--" (e.g. `npm test -- --test-name-pattern=x`) pass through as well.
const roots = positional.filter((arg) => !arg.startsWith("-"));
const flags = [...positional.filter((arg) => arg.startsWith("-")), ...passThrough];

function collect(root) {
  let stat;
  try {
    stat = statSync(root);
  } catch {
    console.error(`run-tests: ${root} does not exist`);
    process.exit(2);
  }
  if (stat.isFile()) return [root];
  return readdirSync(root, { recursive: true })
    .map((entry) => join(root, String(entry)))
    .filter((path) => path.endsWith(".test.ts") && !path.split(/[\\/]/).includes("node_modules"));
}

const files = [...new Set((roots.length > 0 ? roots : ["test", "examples"]).flatMap(collect))]
  .map((path) => relative(process.cwd(), path) || path)
  .sort();

if (files.length === 0) {
  // An empty run must not look like a green one.
  console.error(`run-tests: no *.test.ts files under ${roots.join(", ") || "test"}`);
  process.exit(1);
}

const args = [
  "--import",
  // Resolved here so the runner also works when started from another directory.
  import.meta.resolve("tsx"),
  "--test",
  "--test-reporter=spec",
  // Two cores: run two test files at a time.
  "--test-concurrency=2",
  // A hung test fails after two minutes instead of stalling CI until its global timeout.
  "--test-timeout=120000",
  ...flags,
  ...files,
];
console.log(`run-tests: ${files.length} file(s): node ${args.slice(0, 6).join(" ")} ...`);

const child = spawn(process.execPath, args, { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => child.kill(signal));
}
child.on("exit", (code, signal) => {
  if (signal !== null) {
    console.error(`run-tests: test runner killed by ${signal}`);
    process.exit(1);
  }
  process.exit(code ?? 1);
});
