/**
 * The README's demo must keep working: run `examples/demo.ts` as `npm run demo` does and check
 * what it prints about each feature it shows.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

test("the demo runs to the end: JSON, a redirect with history, the cookie kept, streamed lines", async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "examples/demo.ts"], {
    cwd: ROOT,
    timeout: 60_000,
  });
  assert.match(stdout, /json\(\): \{ hello: 'world', page: '2', tags: \[ 'a', 'b' \] \}/);
  assert.match(stdout, /followed 1 redirect\(s\):\n\s+302 \S+\/login -> \/whoami/);
  assert.match(stdout, /cookie persisted\): "cookie header: session=abc123"/);
  for (let line = 1; line <= 5; line++) assert.match(stdout, new RegExp(`^  line ${line}$`, "m"));
});
