import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CookieJar } from "../../src/cookies/cookie-jar.ts";

describe("CookieJar", () => {
  test("domain-less cookies go to every host; domain cookies only to theirs", () => {
    const jar = new CookieJar();
    jar.set("any", "1");
    jar.set("scoped", "2", { domain: "example.com" });
    assert.equal(jar.headerFor("http://other.test/"), "any=1");
    assert.equal(jar.headerFor("http://www.example.com/"), "scoped=2; any=1");
    assert.equal(jar.size, 2);
  });

  test("Set-Cookie follows path, secure, host-only and expiry rules", () => {
    const jar = new CookieJar();
    jar.extract("https://a.test/app/page", [
      "scoped=1; Path=/",
      "host=2",
      "sec=3; Secure; Path=/",
      "gone=4; Max-Age=0",
      "foreign=5; Domain=evil.test",
    ]);
    // Without Path the default is the request's directory (RFC 6265 §5.1.4): /app.
    assert.equal(jar.headerFor("http://a.test/app/x"), "host=2; scoped=1");
    assert.equal(jar.headerFor("http://a.test/other"), "scoped=1");
    assert.equal(jar.headerFor("https://a.test/app/x"), "host=2; scoped=1; sec=3");
    assert.equal(jar.headerFor("http://sub.a.test/app/x"), "", "host-only cookies stay on their host");
    assert.equal(jar.get("gone"), null);
    assert.equal(jar.get("foreign"), null);
  });

  test("a later Set-Cookie with a past expiry deletes the cookie", () => {
    const jar = new CookieJar();
    jar.extract("http://a.test/", ["sid=1"]);
    assert.equal(jar.get("sid"), "1");
    jar.extract("http://a.test/", ["sid=; Expires=Thu, 01 Jan 1970 00:00:00 GMT"]);
    assert.equal(jar.get("sid"), null);
    assert.equal(jar.headerFor("http://a.test/"), "");
  });

  test("get/delete narrow by domain and path; clear by domain", () => {
    const jar = new CookieJar();
    jar.set("n", "a", { domain: "a.test" });
    jar.set("n", "b", { domain: "b.test" });
    assert.equal(jar.get("n", { domain: "b.test" }), "b");
    assert.equal(jar.delete("n", { domain: "a.test" }), true);
    assert.equal(jar.get("n"), "b");
    jar.clear("b.test");
    assert.equal(jar.size, 0);
  });

  test("iteration, toJSON, from() and update()", () => {
    const jar = CookieJar.from({ a: "1", b: "2" });
    assert.deepEqual(
      [...jar],
      [
        ["a", "1"],
        ["b", "2"],
      ],
    );
    const other = new CookieJar();
    other.update(jar);
    other.set("c", "3", { domain: "x.test", expires: Date.now() + 60_000 });
    assert.deepEqual(other.toJSON(), { a: "1", b: "2", c: "3" });
    assert.ok(other.list().find((c) => c.name === "c")?.expires instanceof Date);
  });
  test("a remembered Cookie header follows every change to the jar", () => {
    const jar = new CookieJar();
    jar.set("a", "1", { domain: "memo.test" });
    assert.equal(jar.headerFor("http://memo.test/"), "a=1");
    jar.set("b", "2", { domain: "memo.test" });
    assert.equal(jar.headerFor("http://memo.test/"), "a=1; b=2");
    jar.extract("http://memo.test/", ["c=3; Path=/"]);
    assert.equal(jar.headerFor("http://memo.test/"), "a=1; b=2; c=3");
    jar.delete("a");
    assert.equal(jar.headerFor("http://memo.test/"), "b=2; c=3");
    jar.set("any", "4");
    assert.equal(jar.headerFor("http://memo.test/"), "b=2; c=3; any=4");
    const other = new CookieJar();
    other.set("d", "5", { domain: "memo.test" });
    jar.update(other);
    assert.match(jar.headerFor("http://memo.test/"), /d=5/);
    jar.clear("memo.test");
    assert.equal(jar.headerFor("http://memo.test/"), "any=4");
    jar.clear();
    assert.equal(jar.headerFor("http://memo.test/"), "");
  });

  test("a remembered Cookie header drops a cookie once it expires", async () => {
    const jar = new CookieJar();
    jar.set("keep", "1", { domain: "memo.test" });
    jar.set("brief", "2", { domain: "memo.test", expires: Date.now() + 80 });
    assert.equal(jar.headerFor("http://memo.test/"), "keep=1; brief=2");
    assert.equal(jar.headerFor("http://memo.test/"), "keep=1; brief=2");
    await new Promise((resolve) => setTimeout(resolve, 120));
    assert.equal(jar.headerFor("http://memo.test/"), "keep=1");
  });
});
