import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { MockTransport, Session } from "../../src/index.ts";
import type { TransportRequest } from "../../src/transport/transport.ts";

const dir = mkdtempSync(join(tmpdir(), "niquests-netrc-"));
const file = join(dir, "netrc");
writeFileSync(file, "machine netrc.test login alice password wonderland\n");
const previous = process.env.NETRC;
process.env.NETRC = file;
after(() => {
  if (previous === undefined) delete process.env.NETRC;
  else process.env.NETRC = previous;
  rmSync(dir, { recursive: true, force: true });
});

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
const authorization = (r: TransportRequest) =>
  r.headers.find(([k]) => k.toLowerCase() === "authorization")?.[1] ?? null;

function mocked(trustEnv = true) {
  const s = new Session({ trustEnv });
  const mock = new MockTransport(() => ({ status: 200 }));
  s.mount("http://", mock);
  return { s, mock };
}

test("netrc credentials apply when trustEnv and no auth is given", async () => {
  const { s, mock } = mocked();
  await s.get("http://netrc.test/");
  await s.get("http://other.test/");
  assert.equal(authorization(mock.requests[0]!), basic("alice", "wonderland"));
  assert.equal(authorization(mock.requests[1]!), null, "only the matching machine");
});

test("explicit auth outranks netrc; netrc outranks a hand-set Authorization header", async () => {
  const { s, mock } = mocked();
  await s.get("http://netrc.test/", { auth: ["bob", "builder"] });
  await s.get("http://netrc.test/", { headers: { Authorization: "Bearer hand-set" } });
  assert.equal(authorization(mock.requests[0]!), basic("bob", "builder"));
  assert.equal(authorization(mock.requests[1]!), basic("alice", "wonderland"));
});

test("trustEnv: false ignores netrc", async () => {
  const { s, mock } = mocked(false);
  await s.get("http://netrc.test/");
  assert.equal(authorization(mock.requests[0]!), null);
});
