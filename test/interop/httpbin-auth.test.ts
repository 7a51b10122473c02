/**
 * Auth against a real server: httpbin's Basic, Bearer and Digest endpoints (its digest checker is
 * werkzeug's parser plus its own hashing, independent of ours).
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { BearerTokenAuth } from "../../src/auth/auth-base.ts";
import { HTTPDigestAuth } from "../../src/auth/digest-auth.ts";
import { HTTPBasicAuth, type Response, Session } from "../../src/index.ts";
import { startHttpbin } from "../peers/httpbin.ts";
import { requirePeer } from "../peers/require-peer.ts";

const httpbin = await requirePeer("httpbin", startHttpbin);
const base = httpbin?.url ?? "http://127.0.0.1:9";
const sessions: Session[] = [];
after(async () => {
  await Promise.all(sessions.map((s) => s.close()));
  await httpbin?.stop();
});

/** A fresh session (own cookie jar) that records the status of every response it sees on the wire. */
function session(): { s: Session; wire: number[] } {
  const wire: number[] = [];
  const s = new Session({
    baseUrl: base,
    hooks: {
      response: (r: Response) => {
        wire.push(r.statusCode);
      },
    },
  });
  sessions.push(s);
  return { s, wire };
}

const skip = { skip: httpbin ? false : "httpbin (gunicorn) is not installed" };

describe("httpbin: Basic and Bearer", skip, () => {
  test("/basic-auth with HTTPBasicAuth and with a [user, pass] pair", async () => {
    const { s } = session();
    const r = await s.get("/basic-auth/user/pass", { auth: new HTTPBasicAuth("user", "pass") });
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.json(), { authenticated: true, user: "user" });
    assert.equal((await s.get("/basic-auth/user/pass", { auth: ["user", "nope"] })).statusCode, 401);
  });

  test("/bearer with a plain string and with BearerTokenAuth", async () => {
    const { s } = session();
    const plain = await s.get("/bearer", { auth: "token-1" });
    assert.equal(plain.statusCode, 200);
    assert.deepEqual(plain.json(), { authenticated: true, token: "token-1" });
    const explicit = await s.get("/bearer", { auth: new BearerTokenAuth("token-2") });
    assert.deepEqual(explicit.json(), { authenticated: true, token: "token-2" });
    assert.equal((await s.get("/bearer")).statusCode, 401);
  });
});

describe("httpbin: Digest", skip, () => {
  for (const [qop, algorithm] of [
    ["auth", "MD5"],
    ["auth", "SHA-256"],
    ["auth", "SHA-512"],
    ["auth-int", "MD5"],
  ] as const) {
    test(`/digest-auth/${qop}/user/pass/${algorithm}: challenge, answer, 200`, async () => {
      const { s, wire } = session();
      const r = await s.get(`/digest-auth/${qop}/user/pass/${algorithm}`, {
        auth: new HTTPDigestAuth("user", "pass"),
      });
      assert.equal(r.statusCode, 200);
      assert.deepEqual(r.json(), { authenticated: true, user: "user" });
      assert.deepEqual(
        r.history.map((h) => h.statusCode),
        [401],
      );
      assert.match(r.history[0]!.headers.get("WWW-Authenticate") ?? "", /^Digest /i);
      assert.match(r.request?.headers.get("Authorization") ?? "", new RegExp(`qop=${qop}\\b`));
      assert.deepEqual(wire, [401, 200]);
    });
  }

  test("a Session reusing one HTTPDigestAuth answers the second request pre-emptively", async () => {
    const { s, wire } = session();
    s.auth = new HTTPDigestAuth("user", "pass");
    const first = await s.get("/digest-auth/auth/user/pass/MD5");
    assert.equal(first.statusCode, 200);
    assert.equal(first.history.length, 1);
    const second = await s.get("/digest-auth/auth/user/pass/MD5");
    assert.equal(second.statusCode, 200);
    assert.equal(second.history.length, 0);
    assert.match(second.request?.headers.get("Authorization") ?? "", /nc=00000002/);
    assert.deepEqual(wire, [401, 200, 200], "one request on the wire for the second call");
  });

  test("a wrong password ends with the 401 after one answer", async () => {
    const { s, wire } = session();
    const r = await s.get("/digest-auth/auth/user/pass/MD5", { auth: new HTTPDigestAuth("user", "wrong") });
    assert.equal(r.statusCode, 401);
    assert.deepEqual(
      r.history.map((h) => h.statusCode),
      [401],
    );
    assert.match(r.request?.headers.get("Authorization") ?? "", /^Digest /);
    assert.deepEqual(wire, [401, 401]);
  });

  test("stale=true on a pre-emptive request is answered with the new nonce (cookies from the 401 sent)", async () => {
    // With stale_after=1, httpbin accepts one answer and then calls the nonce stale; its state
    // travels in cookies that each 401 sets, so the retry must carry the jar's fresh cookies.
    const { s, wire } = session();
    s.auth = new HTTPDigestAuth("user", "pass");
    assert.equal((await s.get("/digest-auth/auth/user/pass/MD5/1")).statusCode, 200);
    const r = await s.get("/digest-auth/auth/user/pass/MD5/1");
    assert.equal(r.statusCode, 200);
    assert.equal(r.history.length, 1);
    assert.match(r.history[0]!.headers.get("WWW-Authenticate") ?? "", /stale=TRUE/i);
    const staleNonce = /nonce="?([^",]+)/.exec(
      r.history[0]!.request?.headers.get("Authorization") ?? "",
    )?.[1];
    const freshNonce = /nonce="?([^",]+)/.exec(r.request?.headers.get("Authorization") ?? "")?.[1];
    assert.ok(staleNonce && freshNonce);
    assert.notEqual(freshNonce, staleNonce);
    assert.match(r.request?.headers.get("Authorization") ?? "", /nc=00000001/);
    assert.deepEqual(wire, [401, 200, 401, 200]);
  });
});
