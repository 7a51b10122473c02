import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Session, TooManyRedirects, UnrewindableBodyError } from "../../src/index.ts";
import { shouldStripAuth } from "../../src/session/redirect.ts";
import { MockTransport } from "../../src/transport/mock-transport.ts";
import type { TransportRequest } from "../../src/transport/transport.ts";

function header(request: TransportRequest, name: string): string | null {
  const found = request.headers.find(([key]) => key.toLowerCase() === name.toLowerCase());
  return found ? found[1] : null;
}

function sessionWith(handler: ConstructorParameters<typeof MockTransport>[0]): {
  s: Session;
  mock: MockTransport;
} {
  const s = new Session();
  const mock = new MockTransport(handler);
  s.mount("http://", mock);
  s.mount("https://", mock);
  return { s, mock };
}

describe("redirects", () => {
  test("relative Location, history oldest first, fragment carried over", async () => {
    const { s } = sessionWith((req) => {
      if (req.url.pathname === "/a") return { status: 302, headers: { Location: "/b" } };
      if (req.url.pathname === "/b") return { status: 301, headers: { Location: "c?x=1" } };
      return { status: 200, body: `final ${req.url.pathname}${req.url.search}${req.url.hash}` };
    });
    const r = await s.get("http://h.test/a#frag");
    assert.equal(r.statusCode, 200);
    assert.equal(r.url, "http://h.test/c?x=1#frag");
    assert.deepEqual(
      r.history.map((h) => [h.statusCode, h.url]),
      [
        [302, "http://h.test/a#frag"],
        [301, "http://h.test/b#frag"],
      ],
    );
    assert.equal(r.history[1]!.history.length, 1, "each hop carries the hops before it");
  });

  for (const [status, method, expected, keepsBody] of [
    [301, "POST", "GET", false],
    [302, "POST", "GET", false],
    [303, "POST", "GET", false],
    [303, "PUT", "GET", false],
    [303, "HEAD", "HEAD", false],
    [302, "PUT", "PUT", false],
    [307, "POST", "POST", true],
    [308, "PUT", "PUT", true],
  ] as const) {
    test(`${status} after ${method} continues as ${expected}${keepsBody ? " with the body" : ""}`, async () => {
      const { s, mock } = sessionWith((req) =>
        req.url.pathname === "/start" ? { status, headers: { Location: "/end" } } : { status: 200 },
      );
      await s.request(method, "http://h.test/start", { data: "payload", allowRedirects: true });
      const second = mock.requests[1]!;
      assert.equal(second.method, expected);
      if (keepsBody) {
        assert.deepEqual(Buffer.from(second.body as Uint8Array).toString(), "payload");
        assert.equal(header(second, "Content-Length"), "7");
      } else {
        assert.equal(second.body, null);
        assert.equal(header(second, "Content-Length"), null);
      }
    });
  }

  test("307 with a one-shot stream body raises UnrewindableBodyError", async () => {
    const { s } = sessionWith(() => ({ status: 307, headers: { Location: "/again" } }));
    async function* once() {
      yield new TextEncoder().encode("x");
    }
    await assert.rejects(s.post("http://h.test/", { data: once() }), UnrewindableBodyError);
  });

  test("Authorization is dropped when the host changes, kept on the same host", async () => {
    const { s, mock } = sessionWith((req) => {
      if (req.url.pathname === "/same") return { status: 302, headers: { Location: "/other" } };
      if (req.url.pathname === "/other")
        return { status: 302, headers: { Location: "http://elsewhere.test/x" } };
      return { status: 200 };
    });
    await s.get("http://h.test/same", { auth: ["user", "pass"] });
    assert.match(header(mock.requests[0]!, "Authorization") ?? "", /^Basic /);
    assert.match(header(mock.requests[1]!, "Authorization") ?? "", /^Basic /);
    assert.equal(header(mock.requests[2]!, "Authorization"), null);
  });

  test("https to http downgrade drops Authorization", async () => {
    const { s, mock } = sessionWith((req) =>
      req.url.protocol === "https:"
        ? { status: 302, headers: { Location: "http://h.test/plain" } }
        : { status: 200 },
    );
    await s.get("https://h.test/", { headers: { Authorization: "Bearer secret" } });
    assert.equal(header(mock.requests[0]!, "Authorization"), "Bearer secret");
    assert.equal(header(mock.requests[1]!, "Authorization"), null);
  });

  test("shouldStripAuth follows Requests", () => {
    const u = (s: string) => new URL(s);
    assert.equal(shouldStripAuth(u("http://a.test/"), u("http://a.test/x")), false);
    assert.equal(shouldStripAuth(u("http://a.test/"), u("https://a.test/")), false);
    assert.equal(shouldStripAuth(u("http://a.test:8080/"), u("https://a.test/")), true);
    assert.equal(shouldStripAuth(u("https://a.test/"), u("http://a.test/")), true);
    assert.equal(shouldStripAuth(u("http://a.test/"), u("http://b.test/")), true);
    assert.equal(shouldStripAuth(u("http://a.test/"), u("http://a.test:81/")), true);
  });

  test("TooManyRedirects carries the last response; maxRedirects is respected", async () => {
    let n = 0;
    const { s } = sessionWith(() => ({ status: 302, headers: { Location: `/r${++n}` } }));
    s.maxRedirects = 3;
    const error = await s.get("http://h.test/").then(
      () => assert.fail("expected TooManyRedirects"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof TooManyRedirects);
    assert.equal(error.code, "ERR_TOO_MANY_REDIRECTS");
    assert.equal(error.response?.statusCode, 302);
    assert.equal(error.response?.history.length, 3);
    assert.equal(n, 4);
  });

  test("allowRedirects: false returns the redirect with nextRequest", async () => {
    const { s, mock } = sessionWith(() => ({ status: 302, headers: { Location: "/next" } }));
    const r = await s.get("http://h.test/", { allowRedirects: false });
    assert.equal(r.statusCode, 302);
    assert.equal(r.isRedirect, true);
    assert.equal(r.isPermanentRedirect, false);
    assert.equal(r.nextRequest?.url, "http://h.test/next");
    assert.equal(mock.requests.length, 1);
  });

  test("cookies set during a redirect chain reach the next hop and the jar", async () => {
    const { s, mock } = sessionWith((req) =>
      req.url.pathname === "/login"
        ? {
            status: 302,
            headers: { Location: "/home", "Set-Cookie": ["sid=1; Path=/", "theme=dark; Path=/"] },
          }
        : { status: 200 },
    );
    const r = await s.get("http://h.test/login");
    assert.equal(header(mock.requests[1]!, "Cookie"), "sid=1; theme=dark");
    assert.deepEqual(s.cookies.toJSON(), { sid: "1", theme: "dark" });
    assert.deepEqual(r.history[0]!.cookies.toJSON(), { sid: "1", theme: "dark" });
  });
});
