import assert from "node:assert/strict";
import { describe, test } from "node:test";
import niquests, {
  ConnectionError,
  ConnectTimeout,
  HookError,
  HTTPError,
  InvalidHeader,
  InvalidSchema,
  InvalidURL,
  isTimeoutError,
  JSONDecodeError,
  MissingSchema,
  ReadTimeout,
  RequestException,
  Session,
  Timeout,
  VERSION,
} from "../../src/index.ts";
import { MockTransport } from "../../src/transport/mock-transport.ts";
import type { TransportRequest } from "../../src/transport/transport.ts";

const header = (r: TransportRequest, name: string) =>
  r.headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1] ?? null;

function mocked(
  options: ConstructorParameters<typeof Session>[0] = {},
  handler?: ConstructorParameters<typeof MockTransport>[0],
) {
  const s = new Session(options);
  const mock = new MockTransport(handler ?? (() => ({ status: 200, body: "ok" })));
  s.mount("http://", mock);
  s.mount("https://", mock);
  return { s, mock };
}

describe("error tree", () => {
  test("ConnectTimeout is both a ConnectionError and a Timeout", () => {
    const e = new ConnectTimeout("x");
    assert.ok(e instanceof ConnectionError);
    assert.ok(e instanceof Timeout);
    assert.ok(e instanceof RequestException);
    assert.ok(isTimeoutError(e));
    assert.equal(e.code, "ERR_CONNECT_TIMEOUT");
    assert.ok(!(new ConnectionError("y") instanceof Timeout));
    assert.ok(new ReadTimeout("z") instanceof Timeout);
    assert.ok(!(new ReadTimeout("z") instanceof ConnectionError));
  });
});

describe("session defaults", () => {
  test("User-Agent, Accept and Accept-Encoding are sent by default", async () => {
    const { s, mock } = mocked();
    await s.get("http://h.test/");
    const sent = mock.requests[0]!;
    assert.equal(header(sent, "User-Agent"), `niquests/${VERSION}`);
    assert.equal(header(sent, "Accept"), "*/*");
    assert.match(header(sent, "Accept-Encoding") ?? "", /gzip/);
    assert.equal(header(sent, "Host"), "h.test");
  });

  test("request headers merge over session headers; null removes one", async () => {
    const { s, mock } = mocked({ headers: { "X-A": "session", "X-B": "session" } });
    await s.get("http://h.test/", { headers: { "x-a": "request", "X-B": null } });
    const sent = mock.requests[0]!;
    assert.equal(header(sent, "X-A"), "request");
    assert.equal(header(sent, "X-B"), null);
  });

  test("baseUrl joins relative URLs; params merge with the existing query", async () => {
    const { s, mock } = mocked({ baseUrl: "http://h.test/api", params: { key: "k" } });
    await s.get("/items?existing=1", { params: { page: 2, tag: ["a", "b"], skip: null } });
    assert.equal(mock.requests[0]!.url.href, "http://h.test/api/items?existing=1&key=k&page=2&tag=a&tag=b");
  });

  test("POST without body sends Content-Length: 0; json sets Content-Type", async () => {
    const { s, mock } = mocked();
    await s.post("http://h.test/");
    assert.equal(header(mock.requests[0]!, "Content-Length"), "0");
    await s.post("http://h.test/", { json: { a: 1 } });
    assert.equal(header(mock.requests[1]!, "Content-Type"), "application/json");
    assert.equal(Buffer.from(mock.requests[1]!.body as Uint8Array).toString(), '{"a":1}');
  });

  test("unknown options are a TypeError; reserved ones say they are not supported yet", async () => {
    assert.throws(() => new Session({ tiemout: 5 } as never), /Unknown Session option "tiemout"/);
    const { s } = mocked();
    await assert.rejects(s.get("http://h.test/", { alowRedirects: false } as never), TypeError);
    assert.throws(() => new Session({ resolver: "doh://" } as never), /not supported yet/);
  });

  test("bad URLs get MissingSchema, InvalidSchema, InvalidURL", async () => {
    const { s } = mocked();
    await assert.rejects(s.get("example.com/x"), MissingSchema);
    await assert.rejects(s.get("ftp://example.com/x"), InvalidSchema);
    await assert.rejects(s.get("http://"), InvalidURL);
    await assert.rejects(s.get("http://exa mple.com/"), InvalidURL);
  });

  test("CR/LF in a header value is InvalidHeader before anything is sent", async () => {
    const { s, mock } = mocked();
    const error = await s
      .get("http://h.test/", { headers: { "X-Evil": "a\r\nInjected: yes" } })
      .catch((e) => e);
    assert.ok(error instanceof InvalidHeader);
    assert.equal(error.code, "ERR_INVALID_HEADER");
    assert.equal(mock.requests.length, 0);
  });

  test("hooks: preRequest then response, session hooks before request hooks, returns replace", async () => {
    const order: string[] = [];
    const { s } = mocked(
      {
        hooks: {
          preRequest: (p) => {
            order.push("session:preRequest");
            p.headers.set("X-Hooked", "1");
          },
          response: () => void order.push("session:response"),
        },
      },
      (req) => ({ status: 200, body: header(req, "X-Hooked") ?? "missing" }),
    );
    const r = await s.get("http://h.test/", {
      hooks: {
        response: [
          (res) => {
            order.push("request:response");
            res.reason = "Replaced";
            return res;
          },
        ],
      },
    });
    assert.deepEqual(order, ["session:preRequest", "session:response", "request:response"]);
    assert.equal(r.text, "1");
    assert.equal(r.reason, "Replaced");
  });

  test("a hook that throws rejects the call with a HookError carrying it", async () => {
    const { s, mock } = mocked({
      hooks: {
        preRequest: () => {
          throw new Error("hook failed");
        },
      },
    });
    const error = await s.get("http://h.test/").catch((e: unknown) => e);
    assert.ok(error instanceof HookError, String(error));
    assert.equal(error.code, "ERR_HOOK");
    assert.equal(error.event, "preRequest");
    assert.equal((error.cause as Error).message, "hook failed");
    assert.equal(mock.requests.length, 0);
  });

  test("an already-aborted signal rejects with its reason", async () => {
    const { s } = mocked();
    const reason = new Error("stop");
    await assert.rejects(s.get("http://h.test/", { signal: AbortSignal.abort(reason) }), (e) => e === reason);
  });
});

describe("response model", () => {
  test("raiseForStatus, ok, json, JSONDecodeError", async () => {
    const { s } = mocked({}, (req) =>
      req.url.pathname === "/bad"
        ? { status: 404, reason: "Not Found", body: "nope" }
        : { status: 200, headers: { "Content-Type": "application/json" }, body: '{"x":[1,2]}' },
    );
    const good = await s.get("http://h.test/good");
    assert.equal(good.ok, true);
    assert.deepEqual(good.json(), { x: [1, 2] });
    assert.equal(good.raiseForStatus(), good);
    const bad = await s.get("http://h.test/bad");
    assert.equal(bad.ok, false);
    const error = (() => {
      try {
        bad.raiseForStatus();
      } catch (e) {
        return e;
      }
    })();
    assert.ok(error instanceof HTTPError);
    assert.equal(error.response, bad);
    assert.match(error.message, /^404 Client Error: Not Found for url: http:\/\/h\.test\/bad$/);
    const decodeError = (() => {
      try {
        bad.json();
      } catch (e) {
        return e;
      }
    })();
    assert.ok(decodeError instanceof JSONDecodeError);
    assert.equal(decodeError.doc, "nope");
  });

  test("links resolve against the response URL", async () => {
    const { s } = mocked({}, () => ({
      status: 200,
      headers: { Link: '</page/2>; rel="next", <https://x.test/1>; rel="first"' },
    }));
    const r = await s.get("http://h.test/list");
    assert.equal(r.links.next?.url, "http://h.test/page/2");
    assert.equal(r.links.first?.url, "https://x.test/1");
  });

  test("stream: true needs load() before content, and says so", async () => {
    const { s } = mocked();
    const r = await s.get("http://h.test/", { stream: true });
    assert.throws(() => r.content, /await r\.load\(\)/);
    await r.load();
    assert.equal(r.text, "ok");
  });

  test("the default export carries delete", () => {
    assert.equal(typeof niquests.delete, "function");
    assert.equal(typeof niquests.get, "function");
  });
});
