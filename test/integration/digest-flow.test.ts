/**
 * The digest flow through the whole pipeline against an in-process node:http server that checks
 * answers with its own computation: bodies re-sent, auth-int, -sess algorithms, redirects,
 * cookies set by the challenge, and one-shot bodies refused.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { after, before, beforeEach, describe, test } from "node:test";
import { HTTPDigestAuth } from "../../src/auth/digest-auth.ts";
import { Session, UnrewindableBodyError } from "../../src/index.ts";

interface Seen {
  method: string;
  url: string;
  body: string;
  authorization: string | null;
  cookie: string | null;
}

/** What the server challenges with; reset before each test. */
const config = { algorithm: "MD5", qop: "auth", hash: "md5", sess: false };
const seen: Seen[] = [];
const USER = "user";
const PASSWORD = "pässword";
const REALM = "flow@test";

/** A deliberately simple auth-param reader, independent of the one under test. */
function params(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of header.replace(/^Digest\s+/i, "").matchAll(/([\w*-]+)=("((?:[^"\\]|\\.)*)"|[^,\s]*)/g)) {
    out[m[1]!.toLowerCase()] = m[3] !== undefined ? m[3].replace(/\\(.)/g, "$1") : m[2]!;
  }
  return out;
}

function verify(authorization: string, method: string, body: Buffer): boolean {
  const p = params(authorization);
  const h = (s: string | Buffer) => createHash(config.hash).update(s).digest("hex");
  if (p.username !== USER || p.realm !== REALM || p.algorithm !== config.algorithm) return false;
  if (p.qop !== config.qop || !/^[0-9a-f]{8}$/.test(p.nc ?? "") || !p.cnonce || p.opaque !== "op")
    return false;
  let ha1 = h(`${USER}:${REALM}:${PASSWORD}`);
  if (config.sess) ha1 = h(`${ha1}:${p.nonce}:${p.cnonce}`);
  const a2 = config.qop === "auth-int" ? `${method}:${p.uri}:${h(body)}` : `${method}:${p.uri}`;
  return p.response === h(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${h(a2)}`);
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    const authorization = req.headers.authorization ?? null;
    seen.push({
      method: req.method!,
      url: req.url!,
      body: body.toString(),
      authorization,
      cookie: req.headers.cookie ?? null,
    });
    if (req.url === "/start") {
      res.writeHead(302, { Location: "/protected" }).end();
      return;
    }
    const uriOk = authorization !== null && params(authorization).uri === req.url;
    if (authorization === null || !uriOk || !verify(authorization, req.method!, body)) {
      const nonce = randomBytes(12).toString("base64");
      res.writeHead(401, {
        "WWW-Authenticate": `Digest realm="${REALM}", qop="${config.qop}", algorithm=${config.algorithm}, nonce="${nonce}", opaque="op"`,
        "Set-Cookie": "challenged=yes; Path=/",
        "Content-Type": "text/plain",
      });
      res.end("who are you?");
      return;
    }
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ ok: true, body: body.toString() }));
  });
});

let base = "";
let s: Session;
before(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await s?.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(async () => {
  Object.assign(config, { algorithm: "MD5", qop: "auth", hash: "md5", sess: false });
  seen.length = 0;
  await s?.close();
  s = new Session({ baseUrl: base });
});

describe("digest flow through the pipeline", () => {
  test("a POST body is sent again with the answer; the challenge's cookie goes along", async () => {
    const r = await s.post("/protected?x=1", {
      data: { field: "value" },
      auth: new HTTPDigestAuth(USER, PASSWORD),
    });
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.json(), { ok: true, body: "field=value" });
    assert.deepEqual(
      seen.map((x) => [x.method, x.url, x.body]),
      [
        ["POST", "/protected?x=1", "field=value"],
        ["POST", "/protected?x=1", "field=value"],
      ],
    );
    assert.equal(seen[0]!.cookie, null);
    assert.equal(seen[1]!.cookie, "challenged=yes");
    assert.deepEqual(
      r.history.map((h) => h.statusCode),
      [401],
    );
  });

  test("auth-int hashes a rewindable stream body (a Blob), which is replayed", async () => {
    Object.assign(config, { qop: "auth-int" });
    const r = await s.put("/protected", {
      data: new Blob(["blob ", "payload"]),
      auth: new HTTPDigestAuth(USER, PASSWORD),
    });
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.json(), { ok: true, body: "blob payload" });
    assert.equal(seen.length, 2);
  });

  for (const [algorithm, hash] of [
    ["MD5-sess", "md5"],
    ["SHA-256-sess", "sha256"],
    ["SHA-512-256", "sha512-256"],
    ["SHA-512-256-sess", "sha512-256"],
  ] as const) {
    test(`${algorithm} is accepted by an independent check, then used pre-emptively`, async () => {
      Object.assign(config, { algorithm, hash, sess: algorithm.endsWith("-sess") });
      s.auth = new HTTPDigestAuth(USER, PASSWORD);
      assert.equal((await s.get("/protected")).statusCode, 200);
      const second = await s.get("/protected/again");
      assert.equal(second.statusCode, 200);
      assert.equal(second.history.length, 0);
      assert.equal(seen.length, 3);
      assert.equal(params(seen[2]!.authorization ?? "").nc, "00000002");
    });
  }

  test("a challenge met after a same-origin redirect is answered", async () => {
    const r = await s.get("/start", { auth: new HTTPDigestAuth(USER, PASSWORD) });
    assert.equal(r.statusCode, 200);
    assert.deepEqual(
      r.history.map((h) => h.statusCode),
      [302, 401],
    );
    assert.deepEqual(
      seen.map((x) => x.url),
      ["/start", "/protected", "/protected"],
    );
  });

  test("a one-shot stream body cannot be replayed: UnrewindableBodyError", async () => {
    const error = await s
      .post("/protected", {
        data: Readable.from([Buffer.from("once")]),
        auth: new HTTPDigestAuth(USER, PASSWORD),
      })
      .catch((e: unknown) => e);
    assert.ok(error instanceof UnrewindableBodyError, String(error));
    assert.equal(seen.length, 1, "only the first attempt reached the server");
  });
});
