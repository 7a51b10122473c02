import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { inspect } from "node:util";
import { CaseInsensitiveDict } from "../../src/models/case-insensitive-dict.ts";
import { HeaderValue } from "../../src/models/header-value.ts";
import { camelCaseHeaderName, objectHeaders } from "../../src/models/object-headers.ts";
import { Response } from "../../src/models/response.ts";

const view = (pairs: Array<[string, string]>) => objectHeaders(CaseInsensitiveDict.fromList(pairs));

describe("HeaderValue", () => {
  test("main value, unquoted parameters, raw toString", () => {
    const ct = HeaderValue.parse('text/html; charset="utf-8"; note="a \\"quoted\\" word"; flag');
    assert.equal(ct.value, "text/html");
    assert.equal(ct.charset, "utf-8");
    assert.equal(ct.note, 'a "quoted" word');
    assert.equal(ct.flag, true);
    assert.equal(String(ct), 'text/html; charset="utf-8"; note="a \\"quoted\\" word"; flag');
    assert.deepEqual(ct.params, { charset: "utf-8", note: 'a "quoted" word', flag: true });
    assert.ok(ct instanceof HeaderValue);
  });

  test("parameters in any spelling; has() and get(); absent ones undefined", () => {
    const cd = HeaderValue.parse("attachment; File-Name=report.pdf; Creation_Date=x");
    assert.equal(cd.fileName, "report.pdf");
    assert.equal(cd.FILE_NAME, "report.pdf");
    assert.equal(cd.get("file-name"), "report.pdf");
    assert.equal(cd.creationDate, "x");
    assert.equal(cd.has("fileName"), true);
    assert.equal("fileName" in cd, true);
    assert.equal(cd.has("size"), false);
    assert.equal("size" in cd, false);
    assert.equal(cd.size, undefined);
  });

  test("separators inside quotes do not cut; RFC 8187 ext-values are decoded", () => {
    const cd = HeaderValue.parse(`attachment; filename="a;b.txt"; filename*=UTF-8''na%C3%AFve%20file.txt`);
    assert.equal(cd.value, "attachment");
    assert.equal(cd.filename, "a;b.txt");
    assert.equal(cd.get("filename*"), "naïve file.txt");
  });

  test("class members win over parameters of the same name, which get() still reaches", () => {
    const v = HeaderValue.parse("main; value=shadowed; has=1");
    assert.equal(v.value, "main");
    assert.equal(typeof v.has, "function");
    assert.equal(v.get("value"), "shadowed");
    assert.equal(v.get("has"), "1");
  });

  test("read-only: assignments throw", () => {
    const v = HeaderValue.parse("a; b=1");
    assert.throws(() => {
      (v as unknown as Record<string, unknown>).b = "2";
    }, TypeError);
    assert.equal(v.b, "1");
  });

  test("date getter: IMF-fixdate, RFC 850, asctime (as GMT whatever the local zone), else null", () => {
    const previous = process.env.TZ;
    process.env.TZ = "America/New_York";
    try {
      const spec = { shape: "opaque" } as const;
      const expected = "1994-11-06T08:49:37.000Z";
      assert.equal(HeaderValue.parse("Sun, 06 Nov 1994 08:49:37 GMT", spec).date?.toISOString(), expected);
      assert.equal(HeaderValue.parse("Sunday, 06-Nov-94 08:49:37 GMT", spec).date?.toISOString(), expected);
      assert.equal(HeaderValue.parse("Sun Nov  6 08:49:37 1994", spec).date?.toISOString(), expected);
      assert.equal(HeaderValue.parse("120", spec).date, null);
      assert.equal(HeaderValue.parse("text/html", spec).date, null);
    } finally {
      if (previous === undefined) delete process.env.TZ;
      else process.env.TZ = previous;
    }
  });

  test("util.inspect shows the raw value", () => {
    assert.equal(inspect(HeaderValue.parse("a; b=1")), 'HeaderValue("a; b=1")');
  });
});

describe("objectHeaders", () => {
  test("camelCase attribute names", () => {
    assert.equal(camelCaseHeaderName("Content-Type"), "contentType");
    assert.equal(camelCaseHeaderName("x-request-id"), "xRequestId");
    assert.equal(camelCaseHeaderName("WWW-Authenticate"), "wwwAuthenticate");
    assert.equal(camelCaseHeaderName("ETag"), "etag");
    assert.equal(camelCaseHeaderName("X_Custom__Thing"), "xCustomThing");
  });

  test("lookup by camelCase or any spelling; absent is undefined; in and Object.keys", () => {
    const oh = view([
      ["Content-Type", "application/json; charset=utf-8"],
      ["X-Request-ID", "r-1"],
      ["WWW-Authenticate", 'Basic realm="api"'],
      ["x_odd_name", "v"],
    ]);
    assert.equal(oh.contentType?.value, "application/json");
    assert.equal(oh.contentType?.charset, "utf-8");
    assert.equal(oh.xRequestId?.value, "r-1");
    assert.equal(oh["Content-Type"], oh.contentType);
    assert.equal(oh["x-request-id"], oh.xRequestId);
    assert.equal(oh.xOddName?.toString(), "v");
    assert.equal(oh.wwwAuthenticate?.[0]?.realm, "api");
    assert.equal(oh.location, undefined);
    assert.equal("contentType" in oh, true);
    assert.equal("content-type" in oh, true);
    assert.equal("location" in oh, false);
    assert.deepEqual(Object.keys(oh), ["contentType", "xRequestId", "wwwAuthenticate", "xOddName"]);
  });

  test("Cache-Control: directives as parameters, numbers typed, valueless true", () => {
    const oh = view([
      ["Cache-Control", 'public, max-age=3600, s-maxage="60", no-cache="Set-Cookie, X-Id"'],
      ["Cache-Control", "max-stale, must-revalidate"],
    ]);
    const cc = oh.cacheControl!;
    const maxAge: number | undefined = cc.maxAge;
    assert.equal(maxAge, 3600);
    assert.equal(cc.sMaxage, 60);
    assert.equal(cc.maxStale, true);
    assert.equal(cc.public, true);
    assert.equal(cc.noCache, "Set-Cookie, X-Id");
    assert.equal(cc.has("must-revalidate"), true);
    assert.equal(cc.has("no-store"), false);
    assert.equal(cc.value, "");
    assert.equal(
      String(cc),
      'public, max-age=3600, s-maxage="60", no-cache="Set-Cookie, X-Id", max-stale, must-revalidate',
    );
    assert.ok(Number.isNaN(view([["Cache-Control", "max-age=soon"]]).cacheControl?.maxAge));
  });

  test("Set-Cookie: one value per field, never cut at the comma of Expires", () => {
    const oh = view([
      ["Set-Cookie", "sid=abc; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Path=/; HttpOnly; Max-Age=30"],
      ["Set-Cookie", 'pref="x y"; SameSite=Lax; Secure'],
    ]);
    const cookies = oh.setCookie!;
    assert.equal(cookies.length, 2);
    assert.equal(cookies[0]?.value, "sid=abc");
    assert.equal(cookies[0]?.expires, "Wed, 21 Oct 2015 07:28:00 GMT");
    assert.equal(cookies[0]?.path, "/");
    assert.equal(cookies[0]?.httpOnly, true);
    assert.equal(cookies[0]?.maxAge, 30);
    assert.equal(cookies[1]?.value, 'pref="x y"');
    assert.equal(cookies[1]?.sameSite, "Lax");
    assert.equal(cookies[1]?.secure, true);
    assert.equal(view([["Set-Cookie", "one=1"]]).setCookie?.length, 1);
  });

  test("list headers are arrays, split at top-level commas across fields", () => {
    const oh = view([
      ["Accept", "text/html, application/json;q=0.9, */*;q=0.1"],
      ["Vary", "Accept-Encoding"],
      ["Vary", "Origin, , Cookie"],
      ["Link", '<https://x.test/?page=2,3>; rel="next", <https://x.test/?page=1>; rel=prev'],
    ]);
    assert.deepEqual(
      oh.accept?.map((a) => [a.value, a.q]),
      [
        ["text/html", undefined],
        ["application/json", 0.9],
        ["*/*", 0.1],
      ],
    );
    assert.deepEqual(
      oh.vary?.map((v) => v.value),
      ["Accept-Encoding", "Origin", "Cookie"],
    );
    assert.deepEqual(
      oh.link?.map((l) => [l.value, l.rel]),
      [
        ["https://x.test/?page=2,3", "next"],
        ["https://x.test/?page=1", "prev"],
      ],
    );
    assert.ok(Object.isFrozen(oh.vary));
  });

  test("other headers are one value, several fields joined as RFC 9110 allows", () => {
    const oh = view([
      ["X-Thing", "a; x=1"],
      ["X-Thing", "b"],
      ["Server", "Apache/2.4 (Debian; x64)"],
      ["Location", "/path;matrix=1"],
    ]);
    assert.equal(String(oh.xThing), "a; x=1, b");
    assert.equal(oh.xThing?.value, "a");
    assert.equal(oh.server?.value, "Apache/2.4 (Debian; x64)");
    assert.deepEqual(oh.server?.params, {});
    assert.equal(oh.location?.value, "/path;matrix=1");
  });

  test("numeric headers have a number value; dates a date", () => {
    const oh = view([
      ["Content-Length", "1234"],
      ["Age", "7, 7"],
      ["Date", "Mon, 02 Oct 2023 05:34:48 GMT"],
      ["Retry-After", "120"],
    ]);
    const length: number | undefined = oh.contentLength?.value;
    assert.equal(length, 1234);
    assert.equal(oh.age?.value, 7);
    assert.equal(oh.date?.date?.toISOString(), "2023-10-02T05:34:48.000Z");
    assert.equal(oh.retryAfter?.value, "120");
    assert.equal(oh.retryAfter?.date, null);
    assert.ok(Number.isNaN(view([["Content-Length", "12a"]]).contentLength?.value));
  });

  test("WWW-Authenticate: scheme as value, parameters after; token68 kept only in the raw text", () => {
    const oh = view([
      [
        "WWW-Authenticate",
        'Bearer realm="example", error="invalid_token", error_description="expired, renew"',
      ],
      ["WWW-Authenticate", "Negotiate abc=="],
    ]);
    const [bearer, negotiate] = oh.wwwAuthenticate!;
    assert.equal(bearer?.value, "Bearer");
    assert.equal(bearer?.realm, "example");
    assert.equal(bearer?.errorDescription, "expired, renew");
    assert.equal(negotiate?.value, "Negotiate");
    assert.deepEqual(negotiate?.params, {});
    assert.equal(String(negotiate), "Negotiate abc==");
  });

  test("a live view: one per dict, follows changes, same parsed object while unchanged", () => {
    const headers = new CaseInsensitiveDict({ "Content-Type": "text/plain" });
    const oh = objectHeaders(headers);
    assert.equal(objectHeaders(headers), oh);
    const first = oh.contentType;
    assert.equal(oh.contentType, first);
    headers.set("Content-Type", "text/html; charset=latin1");
    assert.notEqual(oh.contentType, first);
    assert.equal(oh.contentType?.charset, "latin1");
    headers.set("ETag", '"v1"');
    assert.equal(oh.etag?.value, '"v1"');
    headers.delete("Content-Type");
    assert.equal(oh.contentType, undefined);
    assert.deepEqual(Object.keys(oh), ["etag"]);
  });

  test("read-only; JSON, String and inspect show the raw values", () => {
    const oh = view([
      ["Content-Type", "text/plain"],
      ["Set-Cookie", "a=1"],
      ["Set-Cookie", "b=2"],
    ]);
    assert.throws(() => {
      (oh as unknown as Record<string, unknown>).contentType = "x";
    }, TypeError);
    assert.throws(() => {
      delete (oh as unknown as Record<string, unknown>).contentType;
    }, TypeError);
    const json = { contentType: "text/plain", setCookie: ["a=1", "b=2"] };
    assert.deepEqual(JSON.parse(JSON.stringify(oh)), json);
    assert.equal(String(oh), JSON.stringify(json));
    assert.match(inspect(oh), /^ObjectHeaders \{\n? *contentType: HeaderValue\("text\/plain"\)/);
    assert.deepEqual(
      Object.entries(oh).map(([name, value]) => [name, String(value)]),
      [
        ["contentType", "text/plain"],
        ["setCookie", "a=1,b=2"],
      ],
    );
  });

  test("Response.oheaders is the view of its headers", () => {
    const r = new Response({
      statusCode: 200,
      headers: [
        ["Content-Type", 'text/html; charset="UTF-8"'],
        ["Cache-Control", "max-age=600"],
      ],
    });
    assert.equal(r.oheaders.contentType?.charset, "UTF-8");
    assert.equal(r.oheaders.cacheControl?.maxAge, 600);
    assert.equal(r.oheaders, objectHeaders(r.headers));
  });
});
