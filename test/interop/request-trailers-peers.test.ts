/**
 * Request trailers against third-party servers. None of the installed peers can echo a request's
 * trailer fields back (the node:http and node:http2 tests read them), but each parses them: a
 * trailer section gunicorn or nghttpd did not accept would cost the body, the status or the
 * connection. So the body is echoed intact and the next request reuses the connection.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { Session } from "../../src/index.ts";
import { type HttpbinPeer, startHttpbin } from "../peers/httpbin.ts";
import { type NghttpdPeer, startNghttpd } from "../peers/nghttpd.ts";
import { makeTestPki, type TestPki } from "../peers/pki.ts";
import { requirePeer } from "../peers/require-peer.ts";

const httpbin: HttpbinPeer | null = await requirePeer("httpbin", startHttpbin);
const pki: TestPki | null = await requirePeer("openssl", async () => makeTestPki());
const nghttpd: NghttpdPeer | null = pki ? await requirePeer("nghttpd", () => startNghttpd(pki)) : null;
const nghttpdH2c: NghttpdPeer | null = await requirePeer("nghttpd", () => startNghttpd(null));
after(async () => {
  await Promise.all([httpbin?.stop(), nghttpd?.stop(), nghttpdH2c?.stop()]);
  pki?.remove();
});

async function* parts(): AsyncGenerator<string> {
  yield "part one, ";
  yield "part two";
}

describe("request trailers against real servers", () => {
  test("httpbin (gunicorn, HTTP/1.1): chunked body with a trailer section read whole; connection reused", {
    skip: httpbin ? false : "httpbin (gunicorn) is not installed",
  }, async () => {
    await using s = new Session({ retries: false });
    const first = await s.post(`${httpbin!.url}/anything`, {
      data: "hello trailers",
      trailers: { "X-Checksum": "abc" },
    });
    const echoed = first.json<{ data: string; headers: Record<string, string> }>();
    assert.equal(first.statusCode, 200);
    assert.equal(echoed.data, "hello trailers");
    assert.equal(echoed.headers["Transfer-Encoding"], "chunked");
    assert.equal(echoed.headers.Trailer, "X-Checksum");
    assert.equal(echoed.headers["Content-Length"], undefined);

    const second = await s.put(`${httpbin!.url}/anything`, {
      data: parts(),
      trailers: async () => ({ "X-Late": "1" }),
    });
    assert.equal(second.json<{ data: string }>().data, "part one, part two");
    const third = await s.get(`${httpbin!.url}/get`, { trailers: { "Grpc-Status": "0" } });
    assert.equal(third.statusCode, 200);
    assert.equal(second.connInfo?.reused, true, "the trailer section ended the first request exactly");
    assert.equal(third.connInfo?.reused, true);
  });

  for (const [name, peer] of [
    ["nghttpd over TLS", () => nghttpd],
    ["nghttpd h2c", () => nghttpdH2c],
  ] as const) {
    test(`${name} (HTTP/2): a body followed by trailers is echoed whole; the connection serves on`, {
      skip: peer() ? false : "nghttpd is not installed",
    }, async () => {
      await using s = new Session({
        verify: pki?.ca.certPath ?? true,
        disableHttp1: true,
        retries: false,
        timeout: { connect: 10_000, read: 10_000 },
      });
      const url = `${peer()!.url}/echo`;
      const a = await s.post(url, { data: "static trailers", trailers: { "X-Checksum": "abc" } });
      assert.equal(a.httpVersion, 20);
      assert.equal(a.text, "static trailers");
      const b = await s.put(url, { data: parts(), trailers: () => ({ "Grpc-Status": "0" }) });
      assert.equal(b.text, "part one, part two");
      const c = await s.post(url, { trailers: { "X-Only": "trailers" } });
      assert.equal(c.statusCode, 200);
      assert.equal(c.text, "");
      assert.equal(c.connInfo?.reused, true);
    });
  }
});
