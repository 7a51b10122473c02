/**
 * HTTP/2 interop against real servers started on loopback: nginx and caddy (h2 and h1 over TLS,
 * ALPN decides), nghttpd over TLS (h2 only) and as h2c with prior knowledge. Methods, bodies both
 * ways, redirects, cookies, trailers, and many requests sharing one connection.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { ConnectionError, InvalidSchema, Session } from "../../src/index.ts";
import { CADDY_COOKIE, CADDY_TINY_BODY, type CaddyPeer, startCaddy } from "../peers/caddy.ts";
import { NGHTTPD_INDEX, NGHTTPD_TRAILER, type NghttpdPeer, startNghttpd } from "../peers/nghttpd.ts";
import { NGINX_H2_TINY_BODY, type NginxH2Peer, startNginxH2 } from "../peers/nginx-h2.ts";
import { makeTestPki, type TestPki } from "../peers/pki.ts";
import { requirePeer } from "../peers/require-peer.ts";

const pki: TestPki | null = await requirePeer("openssl", async () => makeTestPki());
const nginx: NginxH2Peer | null = pki ? await requirePeer("nginx", () => startNginxH2({ pki })) : null;
const nghttpd: NghttpdPeer | null = pki ? await requirePeer("nghttpd", () => startNghttpd(pki)) : null;
const h2c: NghttpdPeer | null = await requirePeer("nghttpd", () => startNghttpd(null));
const caddy: CaddyPeer | null = pki ? await requirePeer("caddy", () => startCaddy(pki)) : null;
after(async () => {
  await Promise.all([nginx?.stop(), nghttpd?.stop(), h2c?.stop(), caddy?.stop()]);
  pki?.remove();
});

function session(extra: ConstructorParameters<typeof Session>[0] = {}): Session {
  return new Session({ verify: pki!.ca.certPath, retries: false, ...extra });
}

describe("nginx over TLS", { skip: nginx ? false : "nginx not installed" }, () => {
  test("ALPN picks h2; r.httpVersion and connInfo say 20", async () => {
    await using s = session();
    const r = await s.get(`${nginx!.url}/tiny`);
    assert.equal(r.statusCode, 200);
    assert.equal(r.text, NGINX_H2_TINY_BODY);
    assert.equal(r.httpVersion, 20);
    assert.equal(r.connInfo?.httpVersion, 20);
    assert.equal(r.connInfo?.tlsVersion, "TLSv1.3");
    assert.equal(r.headers.get("server")?.startsWith("nginx"), true);
  });

  test("methods reach nginx as HTTP/2.0", async () => {
    await using s = session();
    for (const method of ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
      const r = await s.request(method, `${nginx!.url}/method`, method === "GET" ? {} : { data: "x=1" });
      assert.equal(r.text, `${method} HTTP/2.0\n`);
    }
    const head = await s.head(`${nginx!.url}/tiny`);
    assert.equal(head.statusCode, 200);
    assert.equal(head.content?.byteLength, 0);
  });

  test("a redirect and a cookie round trip", async () => {
    await using s = session();
    const r = await s.get(`${nginx!.url}/redirect`);
    assert.equal(r.url, `${nginx!.url}/tiny`);
    assert.deepEqual(
      r.history.map((h) => [h.statusCode, h.httpVersion]),
      [[302, 20]],
    );
    await s.get(`${nginx!.url}/set-cookie`);
    assert.equal(s.cookies.get("peer"), "nginx-h2");
    const echoed = await s.get(`${nginx!.url}/cookie`);
    assert.equal(echoed.text, "cookie=peer=nginx-h2\n");
  });

  test("100 concurrent requests share one connection", async () => {
    await using s = session();
    const first = await s.get(`${nginx!.url}/tiny`);
    const port = first.connInfo?.destinationAddress;
    const all = await Promise.all(Array.from({ length: 100 }, () => s.get(`${nginx!.url}/tiny`)));
    assert.ok(all.every((r) => r.text === NGINX_H2_TINY_BODY && r.httpVersion === 20));
    assert.ok(all.every((r) => r.connInfo?.reused === true));
    assert.deepEqual(all[0]?.connInfo?.destinationAddress, port);
    const pools = (
      s.getAdapter(nginx!.url) as unknown as { describe(): Array<{ connections: number }> }
    ).describe();
    assert.equal(pools[0]?.connections, 1);
  });

  test("concurrent first requests wait for the one handshake instead of each opening a connection", async () => {
    await using s = session();
    const all = await Promise.all(Array.from({ length: 20 }, () => s.get(`${nginx!.url}/tiny`)));
    assert.ok(all.every((r) => r.statusCode === 200));
    const pools = (
      s.getAdapter(nginx!.url) as unknown as { describe(): Array<{ connections: number }> }
    ).describe();
    assert.equal(pools[0]?.connections, 1);
    assert.equal(all.filter((r) => r.connInfo?.reused === false).length, 1);
  });

  test("a response trailer (add_trailer)", async () => {
    await using s = session();
    const r = await s.get(`${nginx!.url}/trailer.txt`);
    assert.equal(r.text, NGINX_H2_TINY_BODY);
    assert.equal(r.trailers.get("x-peer-trailer"), "nginx-h2");
  });

  test("a gzip body is decoded; preSend sees the h2 connection and can add a header", async () => {
    const seen: Array<number | null | undefined> = [];
    await using s = session({
      hooks: {
        preSend: [
          (r) => {
            seen.push(r.connInfo?.httpVersion);
            r.headers.set("Cookie", "from=preSend");
            return r;
          },
        ],
      },
    });
    const r = await s.get(`${nginx!.url}/gzip.txt`);
    assert.equal(r.headers.get("content-encoding"), "gzip");
    assert.equal(r.text, NGINX_H2_TINY_BODY.repeat(100));
    const echoed = await s.get(`${nginx!.url}/cookie`);
    assert.equal(echoed.text, "cookie=from=preSend\n");
    assert.deepEqual(seen, [20, 20]);
  });

  test("disableHttp2 makes ALPN offer only http/1.1", async () => {
    await using s = session({ disableHttp2: true });
    const r = await s.get(`${nginx!.url}/method`);
    assert.equal(r.httpVersion, 11);
    assert.equal(r.text, "GET HTTP/1.1\n");
  });

  test("disabling HTTP/1.1 and HTTP/2 leaves nothing: a clear error", async () => {
    await using s = session({ disableHttp1: true, disableHttp2: true });
    await assert.rejects(
      s.get(`${nginx!.url}/tiny`),
      (e: unknown) => e instanceof InvalidSchema && /No HTTP version/.test(e.message),
    );
    assert.throws(
      () => new Session({ disableHttp1: true, disableHttp2: true, disableHttp3: true }),
      TypeError,
    );
  });
});

describe("nghttpd over TLS (h2 only)", { skip: nghttpd ? false : "nghttpd not installed" }, () => {
  test("GET with a response trailer", async () => {
    await using s = session();
    const r = await s.get(`${nghttpd!.url}/index.html`);
    assert.equal(r.statusCode, 200);
    assert.equal(r.httpVersion, 20);
    assert.equal(r.text, NGHTTPD_INDEX);
    assert.equal(r.trailers.get(NGHTTPD_TRAILER[0]), NGHTTPD_TRAILER[1]);
    assert.equal(r.headers.get("server")?.startsWith("nghttpd"), true);
  });

  test("POST and PUT bodies (bytes and a stream of unknown length) are echoed", async () => {
    await using s = session();
    const posted = await s.post(`${nghttpd!.url}/echo`, { data: "posted-body" });
    assert.equal(posted.text, "posted-body");
    async function* parts(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 50; i++) yield new TextEncoder().encode(`part-${i};`);
    }
    const put = await s.put(`${nghttpd!.url}/echo`, { data: parts() });
    assert.equal(put.text, Array.from({ length: 50 }, (_, i) => `part-${i};`).join(""));
  });

  test("a 404 is a response, not an error", async () => {
    await using s = session();
    const r = await s.get(`${nghttpd!.url}/missing`);
    assert.equal(r.statusCode, 404);
  });

  test("disableHttp2 against an h2-only server fails cleanly (no ALPN agreement)", async () => {
    await using s = session({ disableHttp2: true });
    // nghttpd completes TLS without ALPN, then drops the HTTP/1.1 request it cannot parse.
    await assert.rejects(s.get(`${nghttpd!.url}/index.html`), ConnectionError);
  });
});

describe("nghttpd h2c with prior knowledge", { skip: h2c ? false : "nghttpd not installed" }, () => {
  test("disableHttp1 on http:// speaks HTTP/2 in cleartext", async () => {
    await using s = new Session({ disableHttp1: true, retries: false });
    const r = await s.get(`${h2c!.url}/index.html`);
    assert.equal(r.httpVersion, 20);
    assert.equal(r.text, NGHTTPD_INDEX);
    assert.equal(r.connInfo?.tlsVersion, null);
    const posted = await s.post(`${h2c!.url}/echo`, { json: { h2c: true } });
    assert.deepEqual(posted.json(), { h2c: true });
    assert.equal(posted.connInfo?.reused, true);
  });
});

describe("caddy over TLS", { skip: caddy ? false : "caddy not installed" }, () => {
  test("h2 by ALPN, methods, redirects and cookies", async () => {
    await using s = session();
    const r = await s.get(`${caddy!.url}/tiny`);
    assert.equal(r.httpVersion, 20);
    assert.equal(r.text, CADDY_TINY_BODY);
    assert.equal(r.headers.get("x-peer"), "caddy");
    for (const method of ["POST", "PUT", "DELETE"]) {
      const m = await s.request(method, `${caddy!.url}/method`, { data: "abc" });
      assert.equal(m.text, `${method} HTTP/2.0`);
    }
    const redirected = await s.get(`${caddy!.url}/redirect`);
    assert.equal(redirected.url, `${caddy!.url}/tiny`);
    assert.equal(redirected.history[0]?.statusCode, 302);
    await s.get(`${caddy!.url}/set-cookie`);
    assert.equal(s.cookies.get("peer"), CADDY_COOKIE.split(";")[0]?.split("=")[1]);
    const echoed = await s.get(`${caddy!.url}/cookie`);
    assert.equal(echoed.text, "cookie=peer=caddy");
  });

  test("HTTP/1.1 fallback when h2 is disabled", async () => {
    await using s = session({ disableHttp2: true });
    const r = await s.get(`${caddy!.url}/method`);
    assert.equal(r.httpVersion, 11);
    assert.equal(r.text, "GET HTTP/1.1");
  });
});
