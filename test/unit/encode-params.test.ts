import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { applyParams, encodeParams, mergeParams, quotePlus } from "../../src/session/encode-params.ts";

describe("quotePlus", () => {
  test("leaves unreserved characters alone", () => {
    assert.equal(quotePlus("AZaz09_.-~"), "AZaz09_.-~");
  });

  test("encodes like Python's quote_plus", () => {
    assert.equal(quotePlus("a b"), "a+b");
    assert.equal(quotePlus("a/b?c=d&e#f"), "a%2Fb%3Fc%3Dd%26e%23f");
    assert.equal(quotePlus("!*'()"), "%21%2A%27%28%29");
    assert.equal(quotePlus("+%"), "%2B%25");
    assert.equal(quotePlus("é€"), "%C3%A9%E2%82%AC");
    assert.equal(quotePlus("😀"), "%F0%9F%98%80");
  });

  test("a lone surrogate becomes U+FFFD rather than throwing", () => {
    assert.equal(quotePlus("a\uD800b"), "a%EF%BF%BDb");
  });

  test("bytes are encoded one by one", () => {
    assert.equal(quotePlus(new Uint8Array([0x61, 0x20, 0xff, 0x00])), "a+%FF%00");
  });
});

describe("encodeParams", () => {
  test("records: arrays repeat the key, null/undefined dropped, scalars stringified", () => {
    const out = encodeParams({ a: "1", b: ["x", "y"], c: null, d: undefined, e: 2.5, f: true, g: "" });
    assert.equal(out, "a=1&b=x&b=y&e=2.5&f=true&g=");
  });

  test("pairs keep order and duplicates; null values dropped", () => {
    assert.equal(
      encodeParams([
        ["k", "1"],
        ["j", null],
        ["k", "2"],
      ]),
      "k=1&k=2",
    );
  });

  test("URLSearchParams and Map inputs", () => {
    assert.equal(encodeParams(new URLSearchParams("a=1&b=x y")), "a=1&b=x+y");
    assert.equal(encodeParams(new Map([["q", "s/t"]]) as never), "q=s%2Ft");
  });

  test("a string is passed through raw", () => {
    assert.equal(encodeParams("a=1&b=%2F c"), "a=1&b=%2F c");
  });

  test("empty inputs encode to the empty string", () => {
    assert.equal(encodeParams({}), "");
    assert.equal(encodeParams([]), "");
    assert.equal(encodeParams(null), "");
    assert.equal(encodeParams(undefined), "");
  });

  test("object values are rejected with a TypeError naming the key", () => {
    assert.throws(
      () => encodeParams({ when: new Date() as never }),
      (e: unknown) => {
        return e instanceof TypeError && e.message.includes('"when"');
      },
    );
  });

  test("malformed pairs are rejected", () => {
    assert.throws(() => encodeParams([["a"]] as never), TypeError);
  });

  test("round-trips through a form-urlencoded parser (property)", () => {
    const key = fc.string({ minLength: 1, unit: "grapheme" });
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.string({ unit: "grapheme" })), { maxLength: 8 }), (pairs) => {
        const encoded = encodeParams(pairs);
        assert.ok(/^[A-Za-z0-9_.\-~%+=&]*$/.test(encoded), encoded);
        assert.deepEqual([...new URLSearchParams(encoded)], pairs);
      }),
    );
  });
});

describe("applyParams", () => {
  test("appends after the existing query, which is kept verbatim", () => {
    const url = new URL("http://example.test/p?x=%20a&y=b+c#frag");
    applyParams(url, { q: "a b", n: [1, 2] });
    assert.equal(url.href, "http://example.test/p?x=%20a&y=b+c&q=a+b&n=1&n=2#frag");
  });

  test("adds a query when there is none", () => {
    const url = new URL("http://example.test/p");
    applyParams(url, [["a", "/"]]);
    assert.equal(url.href, "http://example.test/p?a=%2F");
  });

  test("several inputs are appended in order (session first, then request)", () => {
    const url = new URL("http://example.test/");
    applyParams(url, { s: "1" }, null, "raw=yes", undefined, { r: "2" });
    assert.equal(url.search, "?s=1&raw=yes&r=2");
  });

  test("no params, or only empty ones, leaves the URL untouched", () => {
    const url = new URL("http://example.test/p?");
    applyParams(url);
    applyParams(url, {}, null, "", { a: null });
    assert.equal(url.href, "http://example.test/p?");
  });

  test("a raw string containing characters a query cannot hold is made wire-safe", () => {
    const url = new URL("http://example.test/");
    applyParams(url, "a=b c#d");
    assert.equal(url.search, "?a=b%20c%23d");
    assert.equal(url.hash, "");
  });
});

describe("mergeParams", () => {
  test("a request key replaces the session's values at the session key's position", () => {
    const merged = mergeParams({ a: "1", b: ["s1", "s2"], c: "3" }, { b: "r", d: "4" });
    assert.equal(encodeParams(merged), "a=1&b=r&c=3&d=4");
  });

  test("a null request value removes the session key", () => {
    const merged = mergeParams({ a: "1", token: "secret" }, { token: null });
    assert.equal(encodeParams(merged), "a=1");
  });

  test("pairs and URLSearchParams merge key-wise too, multi-values kept", () => {
    const merged = mergeParams(new URLSearchParams("a=1&b=2&a=3"), [
      ["a", "x"],
      ["a", "y"],
    ]);
    assert.equal(encodeParams(merged), "a=x&a=y&b=2");
  });

  test("one side missing returns the other", () => {
    const session = { a: "1" };
    assert.equal(mergeParams(session, null), session);
    assert.equal(mergeParams(undefined, session), session);
    assert.equal(mergeParams(null, undefined), null);
  });

  test("a raw string on either side keeps both, session first", () => {
    assert.equal(mergeParams("s=1", { r: "a b" }), "s=1&r=a+b");
    assert.equal(mergeParams({ s: "1" }, "r=2"), "s=1&r=2");
    assert.equal(mergeParams({}, "r=2"), "r=2");
  });
});
