import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { InvalidSchema, MockTransport, Response, Session } from "../../src/index.ts";

describe("HTTP/2 session options", () => {
  test("multiplexed, disableHttp1/2/3 and keep-alive settings are accepted", async () => {
    await using s = new Session({
      multiplexed: true,
      disableHttp1: false,
      disableHttp2: false,
      disableHttp3: true,
      keepaliveDelay: 1000,
      keepaliveIdleWindow: null,
    });
    assert.equal(s.multiplexed, true);
    await using plain = new Session();
    assert.equal(plain.multiplexed, false);
  });

  test("bad keep-alive values and disabling every version are TypeErrors", () => {
    assert.throws(() => new Session({ keepaliveDelay: -1 }), /keepaliveDelay/);
    assert.throws(() => new Session({ keepaliveIdleWindow: Number.NaN }), /keepaliveIdleWindow/);
    assert.throws(
      () => new Session({ disableHttp1: true, disableHttp2: true, disableHttp3: true }),
      /no HTTP version/,
    );
  });

  test("no version left for a URL is InvalidSchema, before any connection is tried", async () => {
    await using s = new Session({ disableHttp1: true, disableHttp2: true, retries: false });
    await assert.rejects(s.get("http://127.0.0.1:9/"), (e: unknown) => e instanceof InvalidSchema);
    await assert.rejects(s.get("https://127.0.0.1:9/"), (e: unknown) => e instanceof InvalidSchema);
  });
});

describe("gather()", () => {
  test("takes responses and promises alike, in argument order; a non-multiplexed session tracks nothing", async () => {
    await using s = new Session();
    s.mount("https://", new MockTransport((req) => ({ status: 200, body: req.url.pathname })));
    const ready = new Response({ statusCode: 204 });
    const [a, b, c] = await s.gather(s.get("https://x/a"), ready, s.get("https://x/c"));
    assert.equal(a?.text, "/a");
    assert.equal(b, ready);
    assert.equal(c?.text, "/c");
    void s.get("https://x/ignored");
    assert.deepEqual(await s.gather(), []);
    await assert.rejects(s.gather(ready, { maxFetch: 1, extra: true } as never), /Unknown gather\(\) option/);
  });
});
