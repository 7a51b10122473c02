/**
 * cookies.txt against a real server: cookies httpbin sets survive `save()` and `load()` into
 * another Session, and curl reads the file we write.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { promisify } from "node:util";
import { CookieJar, Session } from "../../src/index.ts";
import { startHttpbin } from "../peers/httpbin.ts";
import { requirePeer } from "../peers/require-peer.ts";

const httpbin = await requirePeer("httpbin", startHttpbin);
const base = httpbin?.url ?? "http://127.0.0.1:9";
const dir = await mkdtemp(join(tmpdir(), "niquests-cookies-file-"));
after(async () => {
  await httpbin?.stop();
  await rm(dir, { recursive: true, force: true });
});

type Cookies = { cookies: Record<string, string> };

describe("httpbin: cookies.txt save and load", {
  skip: httpbin ? false : "httpbin (gunicorn) is not installed",
}, () => {
  test("/cookies/set on one Session, save(), load() on a new Session, /cookies shows both", async () => {
    const path = join(dir, "session.txt");
    const first = new Session({ baseUrl: base });
    await first.get("/cookies/set?a=1&b=2");
    // httpbin sets session cookies (no Expires): they are written only when asked.
    await first.cookies.save(path, { includeSessionCookies: true });
    await first.close();
    assert.match(await readFile(path, "utf8"), /^127\.0\.0\.1\tFALSE\t\/\tFALSE\t0\ta\t1$/m);

    const second = new Session({ baseUrl: base });
    await second.cookies.load(path);
    const r = await second.get("/cookies");
    assert.deepEqual(r.json<Cookies>().cookies, { a: "1", b: "2" });
    await second.close();
  });

  test("without includeSessionCookies the session cookies stay out of the file", async () => {
    const path = join(dir, "persistent-only.txt");
    const first = new Session({ baseUrl: base });
    await first.get("/cookies/set?a=1");
    await first.cookies.save(path);
    await first.close();
    const second = new Session({ baseUrl: base });
    second.cookies = await CookieJar.fromFile(path);
    assert.deepEqual((await second.get("/cookies")).json<Cookies>().cookies, {});
    await second.close();
  });

  test("curl -b sends the cookies of a file we saved", {
    skip: existsSync("/usr/bin/curl") ? false : "/usr/bin/curl is not installed",
  }, async () => {
    const path = join(dir, "for-curl.txt");
    const s = new Session({ baseUrl: base });
    await s.get("/cookies/set?flavour=oat&size=big");
    await s.cookies.save(path, { includeSessionCookies: true });
    await s.close();
    const { stdout } = await promisify(execFile)("/usr/bin/curl", ["-s", "-b", path, `${base}/cookies`]);
    assert.deepEqual((JSON.parse(stdout) as Cookies).cookies, { flavour: "oat", size: "big" });
  });
});
