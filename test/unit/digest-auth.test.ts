import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { HTTPDigestAuth } from "../../src/auth/digest-auth.ts";
import { InvalidHeader } from "../../src/errors/errors.ts";
import { Response } from "../../src/models/response.ts";
import {
  countingCnonce,
  credentials,
  expected,
  fixedCnonce,
  ok,
  request,
  unauthorized,
} from "./digest-fixtures.ts";

// RFC 7616 §3.9.1.
const RFC = {
  user: "Mufasa",
  password: "Circle of Life",
  realm: "http-auth@example.org",
  nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
  opaque: "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS",
  cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
};
const rfcChallenge = (algorithm: string) =>
  `Digest realm="${RFC.realm}", qop="auth, auth-int", algorithm=${algorithm}, nonce="${RFC.nonce}", opaque="${RFC.opaque}"`;

describe("HTTPDigestAuth: RFC 7616 §3.9.1 example", () => {
  test("MD5 gives the RFC's exact Authorization header", async () => {
    const auth = new HTTPDigestAuth(RFC.user, RFC.password, { cnonce: fixedCnonce(RFC.cnonce) });
    const req = request("http://www.example.org/dir/index.html");
    assert.equal(await auth.apply(req), req);
    assert.equal(req.headers.has("Authorization"), false, "no challenge known yet: nothing pre-emptive");
    const next = await auth.handleResponse(unauthorized(req, rfcChallenge("MD5")), req);
    assert.ok(next);
    assert.notEqual(next, req);
    assert.equal(
      next.headers.get("Authorization"),
      `Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", algorithm=MD5, ` +
        `nonce="${RFC.nonce}", nc=00000001, cnonce="${RFC.cnonce}", qop=auth, ` +
        `response="8ca523f5e9506fed4657c9700eebdbec", opaque="${RFC.opaque}"`,
    );
    assert.equal(req.headers.has("Authorization"), false, "the original request is left alone");
  });

  test("SHA-256 is picked when listed first among several challenges (two header fields)", async () => {
    const auth = new HTTPDigestAuth(RFC.user, RFC.password, { cnonce: fixedCnonce(RFC.cnonce) });
    const req = request("http://www.example.org/dir/index.html");
    await auth.apply(req);
    const next = await auth.handleResponse(
      unauthorized(req, rfcChallenge("SHA-256"), rfcChallenge("MD5")),
      req,
    );
    const params = credentials(next!);
    assert.equal(params.get("algorithm"), "SHA-256");
    assert.equal(params.get("response"), "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
  });

  test("a Digest challenge among other schemes in one field value is found", async () => {
    const auth = new HTTPDigestAuth(RFC.user, RFC.password, { cnonce: fixedCnonce(RFC.cnonce) });
    const req = request("http://www.example.org/dir/index.html");
    await auth.apply(req);
    const next = await auth.handleResponse(
      unauthorized(req, `Basic realm="x", Negotiate abc==, ${rfcChallenge("MD5")}, Bearer realm="y"`),
      req,
    );
    assert.equal(credentials(next!).get("response"), "8ca523f5e9506fed4657c9700eebdbec");
  });
});

describe("HTTPDigestAuth: nonce counting and pre-emptive answers", () => {
  test("later requests to the origin are answered up front with nc counting up on the nonce", async () => {
    const auth = new HTTPDigestAuth("u", "p", { cnonce: countingCnonce });
    const first = request("http://h.test:8080/a");
    await auth.apply(first);
    const answer = await auth.handleResponse(
      unauthorized(first, 'Digest realm="r", nonce="n1", qop="auth"'),
      first,
    );
    assert.equal(credentials(answer!).get("nc"), "00000001");
    assert.equal(await auth.handleResponse(ok(answer!), answer!), null, "a success is kept");

    const second = request("http://h.test:8080/b/c?x=1&y=%20", "POST");
    await auth.apply(second);
    const params = credentials(second);
    assert.equal(params.get("nc"), "00000002");
    assert.equal(params.get("nonce"), "n1");
    assert.equal(params.get("uri"), "/b/c?x=1&y=%20");
    assert.equal(
      params.get("response"),
      expected({
        hash: "md5",
        user: "u",
        password: "p",
        realm: "r",
        method: "POST",
        uri: "/b/c?x=1&y=%20",
        nonce: "n1",
        nc: "00000002",
        cnonce: params.get("cnonce")!,
        qop: "auth",
      }),
    );
    const third = request("http://h.test:8080/");
    await auth.apply(third);
    assert.equal(credentials(third).get("nc"), "00000003");

    const otherPort = request("http://h.test:8081/a");
    await auth.apply(otherPort);
    assert.equal(otherPort.headers.has("Authorization"), false, "another origin has no challenge yet");
  });

  test("a new challenge with the same nonce keeps counting; a new nonce starts at 1", async () => {
    const auth = new HTTPDigestAuth("u", "p", { cnonce: countingCnonce });
    const req = request("http://h.test/");
    await auth.apply(req);
    const a1 = await auth.handleResponse(unauthorized(req, 'Digest realm="r", nonce="n1", qop=auth'), req);
    assert.equal(credentials(a1!).get("nc"), "00000001");
    const req2 = request("http://h.test/");
    await auth.apply(req2);
    assert.equal(credentials(req2).get("nc"), "00000002");
    // The pre-emptive answer is refused with the same nonce offered again: answered with nc 3.
    const a2 = await auth.handleResponse(unauthorized(req2, 'Digest realm="r", nonce="n1", qop=auth'), req2);
    assert.equal(credentials(a2!).get("nc"), "00000003");
    const req3 = request("http://h.test/");
    await auth.apply(req3);
    const a3 = await auth.handleResponse(unauthorized(req3, 'Digest realm="r", nonce="n2", qop=auth'), req3);
    assert.equal(credentials(a3!).get("nc"), "00000001");
    assert.equal(credentials(a3!).get("nonce"), "n2");
  });

  test("Authentication-Info nextnonce replaces the nonce for the next request", async () => {
    const auth = new HTTPDigestAuth("u", "p", { cnonce: countingCnonce });
    const req = request("http://h.test/");
    await auth.apply(req);
    const answer = await auth.handleResponse(
      unauthorized(req, 'Digest realm="r", nonce="n1", qop=auth'),
      req,
    );
    await auth.handleResponse(
      ok(answer!, [["Authentication-Info", 'rspauth="x", nextnonce="n9", qop=auth']]),
      answer!,
    );
    const next = request("http://h.test/");
    await auth.apply(next);
    assert.equal(credentials(next).get("nonce"), "n9");
    assert.equal(credentials(next).get("nc"), "00000001");
  });
});

describe("HTTPDigestAuth: when not to answer", () => {
  test("a rejected answer (stale=false) is kept, and the origin's challenge is forgotten", async () => {
    const auth = new HTTPDigestAuth("u", "wrong");
    const req = request("http://h.test/x");
    await auth.apply(req);
    const answer = await auth.handleResponse(
      unauthorized(req, 'Digest realm="r", nonce="n1", qop=auth'),
      req,
    );
    assert.ok(answer);
    const again = await auth.handleResponse(
      unauthorized(answer, 'Digest realm="r", nonce="n2", qop=auth, stale=false'),
      answer,
    );
    assert.equal(again, null);
    const later = request("http://h.test/x");
    await auth.apply(later);
    assert.equal(later.headers.has("Authorization"), false, "known-bad credentials are not sent up front");
  });

  test("stale=true is answered once more with the new nonce, but not twice", async () => {
    const auth = new HTTPDigestAuth("u", "p", { cnonce: countingCnonce });
    const req = request("http://h.test/x");
    await auth.apply(req);
    const answer = await auth.handleResponse(
      unauthorized(req, 'Digest realm="r", nonce="n1", qop=auth'),
      req,
    );
    const retry = await auth.handleResponse(
      unauthorized(answer!, 'Digest realm="r", nonce="n2", qop=auth, stale=TRUE'),
      answer!,
    );
    assert.ok(retry);
    assert.equal(credentials(retry).get("nonce"), "n2");
    assert.equal(credentials(retry).get("nc"), "00000001");
    const third = await auth.handleResponse(
      unauthorized(retry, 'Digest realm="r", nonce="n3", qop=auth, stale=true'),
      retry,
    );
    assert.equal(third, null);
  });

  test("a refused pre-emptive request gets one answer to the fresh challenge, then stops", async () => {
    const auth = new HTTPDigestAuth("u", "p");
    const req = request("http://h.test/");
    await auth.apply(req);
    await auth.handleResponse(unauthorized(req, 'Digest realm="r", nonce="n1", qop=auth'), req);
    const pre = request("http://h.test/");
    await auth.apply(pre);
    assert.ok(pre.headers.has("Authorization"));
    const answer = await auth.handleResponse(
      unauthorized(pre, 'Digest realm="r", nonce="n2", qop=auth'),
      pre,
    );
    assert.equal(credentials(answer!).get("nonce"), "n2");
    assert.equal(
      await auth.handleResponse(unauthorized(answer!, 'Digest realm="r", nonce="n3", qop=auth'), answer!),
      null,
    );
  });

  test("non-401 responses, non-Digest challenges and origins never applied to are left alone", async () => {
    const auth = new HTTPDigestAuth("u", "p");
    const req = request("http://h.test/");
    await auth.apply(req);
    assert.equal(await auth.handleResponse(ok(req), req), null);
    const forbidden = new Response({ statusCode: 403, headers: [["WWW-Authenticate", 'Digest nonce="n"']] });
    assert.equal(await auth.handleResponse(forbidden, req), null);
    assert.equal(await auth.handleResponse(unauthorized(req, 'Basic realm="r"'), req), null);
    assert.equal(await auth.handleResponse(unauthorized(req), req), null);
    // A redirect took the call to another host: its challenge is not answered.
    const elsewhere = request("http://other.test/");
    assert.equal(
      await auth.handleResponse(unauthorized(elsewhere, 'Digest realm="r", nonce="n"'), elsewhere),
      null,
    );
  });

  test("an unsupported algorithm or qop throws InvalidHeader carrying the 401", async () => {
    const auth = new HTTPDigestAuth("u", "p");
    const req = request("http://h.test/");
    await auth.apply(req);
    const response = unauthorized(req, 'Digest realm="r", nonce="n", algorithm=SHA3-256, qop=auth');
    await assert.rejects(auth.handleResponse(response, req), (error: unknown) => {
      assert.ok(error instanceof InvalidHeader);
      assert.match(error.message, /SHA3-256/);
      assert.equal(error.response, response);
      assert.equal(error.request, req);
      return true;
    });
    await assert.rejects(
      auth.handleResponse(unauthorized(req, 'Digest realm="r", nonce="n", qop="auth-conf"'), req),
      InvalidHeader,
    );
    await assert.rejects(auth.handleResponse(unauthorized(req, 'Digest realm="r"'), req), /no nonce/);
    // A usable challenge next to the unusable one is taken instead.
    const next = await auth.handleResponse(
      unauthorized(req, 'Digest realm="r", nonce="n", algorithm=SHA3-256', 'Digest realm="r", nonce="m"'),
      req,
    );
    assert.equal(credentials(next!).get("nonce"), "m");
  });
});
