import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseLinkHeader } from "../../src/models/link-header.ts";

describe("parseLinkHeader", () => {
  test("GitHub-style pagination", () => {
    const links = parseLinkHeader(
      '<https://api.github.com/repositories/1/issues?page=2>; rel="next", ' +
        '<https://api.github.com/repositories/1/issues?page=5>; rel="last"',
    );
    assert.deepEqual(links, {
      next: { url: "https://api.github.com/repositories/1/issues?page=2", rel: "next" },
      last: { url: "https://api.github.com/repositories/1/issues?page=5", rel: "last" },
    });
  });

  test("other parameters are kept, quoted or not; names are lower-cased", () => {
    const links = parseLinkHeader(
      '<http://example.com/front.jpeg>; rel=front; TYPE="image/jpeg"; title=Cover',
    );
    assert.deepEqual(links.front, {
      url: "http://example.com/front.jpeg",
      rel: "front",
      type: "image/jpeg",
      title: "Cover",
    });
  });

  test("commas and semicolons inside <> and quotes do not split", () => {
    const links = parseLinkHeader(
      '<https://x.test/a?q=1,2;3>; rel="next"; title="Chapter 2, part; one", <https://x.test/b>; rel=prev',
    );
    assert.equal(links.next?.url, "https://x.test/a?q=1,2;3");
    assert.equal(links.next?.title, "Chapter 2, part; one");
    assert.equal(links.prev?.url, "https://x.test/b");
  });

  test("backslash escapes in quoted strings", () => {
    const links = parseLinkHeader('</a>; rel=x; title="say \\"hi\\""');
    assert.equal(links.x?.title, 'say "hi"');
  });

  test("several relation types give one entry each", () => {
    const links = parseLinkHeader('<https://x.test/1>; rel="start first"; hreflang=en');
    assert.deepEqual(links.start, { url: "https://x.test/1", rel: "start", hreflang: "en" });
    assert.deepEqual(links.first, { url: "https://x.test/1", rel: "first", hreflang: "en" });
  });

  test("a link without rel is keyed by its URL", () => {
    const links = parseLinkHeader("<https://x.test/style.css>; type=text/css");
    assert.deepEqual(links["https://x.test/style.css"], {
      url: "https://x.test/style.css",
      rel: "",
      type: "text/css",
    });
  });

  test("relative URLs stay as given", () => {
    assert.equal(parseLinkHeader('</page/2>; rel="next"').next?.url, "/page/2");
  });

  test("only the first occurrence of a parameter counts (RFC 8288)", () => {
    assert.deepEqual(parseLinkHeader("</a>; rel=next; rel=prev").next, { url: "/a", rel: "next" });
  });

  test("a later link with the same rel wins", () => {
    assert.equal(parseLinkHeader("</a>; rel=next, </b>; rel=next").next?.url, "/b");
  });

  test("whitespace, empty elements and valueless parameters", () => {
    const links = parseLinkHeader('  , </a> ;  rel = "next" ; crossorigin ,, </b>;rel=prev  ');
    assert.deepEqual(links.next, { url: "/a", rel: "next", crossorigin: "" });
    assert.deepEqual(links.prev, { url: "/b", rel: "prev" });
  });

  test("empty or blank values give no links", () => {
    assert.deepEqual(parseLinkHeader(""), {});
    assert.deepEqual(parseLinkHeader("   "), {});
  });

  test("a hostile rel cannot reach the prototype", () => {
    const links = parseLinkHeader('</evil>; rel="__proto__"; __proto__=x');
    assert.equal(Object.getPrototypeOf(links), Object.prototype);
    assert.deepEqual(Object.keys(links), ["__proto__"]);
    assert.equal(Object.getOwnPropertyDescriptor(links, "__proto__")?.value.url, "/evil");
    assert.equal(({} as Record<string, unknown>).url, undefined);
  });

  test("lenient with a bare target, as Requests is", () => {
    assert.equal(parseLinkHeader("https://x.test/c; rel=next").next?.url, "https://x.test/c");
  });
});
