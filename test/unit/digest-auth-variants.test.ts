import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import { HTTPDigestAuth, parseAuthParams, parseChallenges } from "../../src/auth/digest-auth.ts";
import { UnrewindableBodyError } from "../../src/errors/errors.ts";
import type { StreamBody } from "../../src/transport/transport.ts";
import { credentials, expected, fixedCnonce, request, unauthorized } from "./digest-fixtures.ts";

describe("HTTPDigestAuth: variants", () => {
  test("the copy keeps method, URL and body, and drops Cookie so the jar's is recomputed", async () => {
    const auth = new HTTPDigestAuth("u", "p");
    const body = new TextEncoder().encode("payload");
    const req = request("http://h.test/post", "PUT", body);
    req.headers.set("Cookie", "old=1");
    req.headers.set("X-Keep", "yes");
    await auth.apply(req);
    const next = await auth.handleResponse(unauthorized(req, 'Digest realm="r", nonce="n", qop=auth'), req);
    assert.equal(next!.method, "PUT");
    assert.equal(next!.url, "http://h.test/post");
    assert.equal(next!.body, body);
    assert.equal(next!.headers.get("X-Keep"), "yes");
    assert.equal(next!.headers.has("Cookie"), false);
    assert.equal(req.headers.get("Cookie"), "old=1");
  });

  for (const [algorithm, hash, sess] of [
    ["MD5-sess", "md5", true],
    ["SHA-256-sess", "sha256", true],
    ["SHA-512-256", "sha512-256", false],
    ["sha-512-256-SESS", "sha512-256", true],
    ["SHA-512", "sha512", false],
  ] as const) {
    test(`${algorithm} answers match an independent computation`, async () => {
      const auth = new HTTPDigestAuth("user", "pa:ss", { cnonce: fixedCnonce("c0ffee") });
      const req = request("http://h.test/p?q");
      await auth.apply(req);
      const challenge = `Digest realm="r", nonce="n", qop=auth, algorithm=${algorithm}`;
      const params = credentials((await auth.handleResponse(unauthorized(req, challenge), req))!);
      assert.equal(params.get("algorithm"), algorithm, "echoed as the server spelled it");
      const uri = "/p?q";
      const common = { hash, user: "user", password: "pa:ss", realm: "r", method: "GET", uri, nonce: "n" };
      assert.equal(
        params.get("response"),
        expected({ ...common, nc: "00000001", cnonce: "c0ffee", qop: "auth", sess }),
      );
    });
  }

  test("no qop (RFC 2069) answers without nc and cnonce; no algorithm means MD5, not echoed", async () => {
    const auth = new HTTPDigestAuth("u", "p");
    const req = request("http://h.test/x");
    await auth.apply(req);
    const params = credentials(
      (await auth.handleResponse(unauthorized(req, 'Digest realm="r", nonce="n"'), req))!,
    );
    assert.equal(params.has("nc"), false);
    assert.equal(params.has("cnonce"), false);
    assert.equal(params.has("qop"), false);
    assert.equal(params.has("algorithm"), false);
    const common = {
      hash: "md5",
      user: "u",
      password: "p",
      realm: "r",
      method: "GET",
      uri: "/x",
      nonce: "n",
    };
    assert.equal(params.get("response"), expected(common));
  });

  test("auth-int offered alone hashes a byte body and a rewindable stream body", async () => {
    const bytes = new TextEncoder().encode("a=1&b=2");
    const stream: StreamBody = {
      length: bytes.length,
      rewindable: true,
      async *open() {
        yield bytes.subarray(0, 3);
        yield bytes.subarray(3);
      },
    };
    for (const body of [bytes, stream]) {
      const auth = new HTTPDigestAuth("u", "p", { cnonce: fixedCnonce("cn") });
      const req = request("http://h.test/form", "POST", body);
      await auth.apply(req);
      const challenge = 'Digest realm="r", nonce="n", qop="auth-int"';
      const params = credentials((await auth.handleResponse(unauthorized(req, challenge), req))!);
      assert.equal(params.get("qop"), "auth-int");
      const common = {
        hash: "md5",
        user: "u",
        password: "p",
        realm: "r",
        method: "POST",
        uri: "/form",
        nonce: "n",
      };
      assert.equal(
        params.get("response"),
        expected({ ...common, nc: "00000001", cnonce: "cn", qop: "auth-int", body: bytes }),
      );
    }
  });

  test("auth-int with a one-shot stream body throws UnrewindableBodyError", async () => {
    const oneShot: StreamBody = {
      length: null,
      rewindable: false,
      async *open() {
        yield new Uint8Array([1]);
      },
    };
    const auth = new HTTPDigestAuth("u", "p");
    const req = request("http://h.test/", "POST", oneShot);
    await auth.apply(req);
    await assert.rejects(
      auth.handleResponse(unauthorized(req, 'Digest realm="r", nonce="n", qop="auth-int"'), req),
      UnrewindableBodyError,
    );
  });

  test("userhash=true sends H(user:realm); a non-ASCII user name goes in username*", async () => {
    const hashed = new HTTPDigestAuth("Jäsøn Doe", "pw");
    const req = request("http://h.test/doe.json");
    await hashed.apply(req);
    const challenge = 'Digest realm="api@example.org", nonce="n", qop=auth, algorithm=SHA-256, userhash=true';
    const params = credentials((await hashed.handleResponse(unauthorized(req, challenge), req))!);
    assert.equal(
      params.get("username"),
      createHash("sha256").update("Jäsøn Doe:api@example.org").digest("hex"),
    );
    assert.equal(params.get("userhash"), "true");

    const plain = new HTTPDigestAuth("Jäsøn Doe", "pw");
    await plain.apply(req);
    const extended = credentials(
      (await plain.handleResponse(unauthorized(req, 'Digest realm="r", nonce="n", qop=auth'), req))!,
    );
    assert.equal(extended.get("username*"), "UTF-8''J%C3%A4s%C3%B8n%20Doe");
    assert.equal(extended.has("username"), false);
  });

  test("quotes and backslashes in echoed values are escaped", async () => {
    const auth = new HTTPDigestAuth('a"b\\c', "p");
    const req = request("http://h.test/");
    await auth.apply(req);
    const params = credentials(
      (await auth.handleResponse(unauthorized(req, 'Digest realm="r\\"1", nonce="n", opaque="o,p"'), req))!,
    );
    assert.equal(params.get("username"), 'a"b\\c');
    assert.equal(params.get("realm"), 'r"1');
    assert.equal(params.get("opaque"), "o,p");
  });
});

describe("parseChallenges", () => {
  test("several challenges, token68, quoted strings with escapes, case-insensitive names", () => {
    const parsed = parseChallenges(
      'Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic REALM="simple", Negotiate a+b/c==,Digest NONCE=xyz , Qop="auth, auth-int"',
    );
    assert.deepEqual(
      parsed.map((c) => [c.scheme, Object.fromEntries(c.params), c.token68]),
      [
        ["Newauth", { realm: "apps", type: "1", title: 'Login to "apps"' }, null],
        ["Basic", { realm: "simple" }, null],
        ["Negotiate", {}, "a+b/c=="],
        ["Digest", { nonce: "xyz", qop: "auth, auth-int" }, null],
      ],
    );
  });

  test("empty list elements, a bare scheme and junk are tolerated; the first duplicate wins", () => {
    const parsed = parseChallenges(', ,Bearer, Digest a=1, a=2,, b="unterminated');
    assert.deepEqual(
      parsed.map((c) => [c.scheme, Object.fromEntries(c.params)]),
      [
        ["Bearer", {}],
        ["Digest", { a: "1", b: "unterminated" }],
      ],
    );
    assert.deepEqual(parseChallenges(""), []);
    assert.deepEqual(
      parseChallenges('=x, Basic realm="r" junk, charset=UTF-8').map((c) => Object.fromEntries(c.params)),
      [{ realm: "r", charset: "UTF-8" }],
    );
  });

  test("parseAuthParams reads a bare list (Authentication-Info)", () => {
    assert.deepEqual(Object.fromEntries(parseAuthParams('qop=auth, rspauth="ab", cnonce="c", nc=00000001')), {
      qop: "auth",
      rspauth: "ab",
      cnonce: "c",
      nc: "00000001",
    });
  });
});
