/**
 * The core client against a real server: httpbin under gunicorn (threaded worker, keep-alive).
 */
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { after, describe, test } from "node:test";
import niquests, {
  HTTPError,
  ReadTimeout,
  type Response,
  Session,
  TooManyRedirects,
} from "../../src/index.ts";
import { startHttpbin } from "../peers/httpbin.ts";
import { requirePeer } from "../peers/require-peer.ts";

const httpbin = await requirePeer("httpbin", startHttpbin);
const base = httpbin?.url ?? "http://127.0.0.1:9";
const s = new Session({ baseUrl: base });
after(async () => {
  await s.close();
  await httpbin?.stop();
});

type Echo = {
  args: Record<string, string | string[]>;
  headers: Record<string, string>;
  form: Record<string, string | string[]>;
  files: Record<string, string>;
  json: unknown;
  data: string;
  url: string;
};
const echo = (r: Response) => r.json<Echo>();

describe("httpbin: requests and bodies", {
  skip: httpbin ? false : "httpbin (gunicorn) is not installed",
}, () => {
  test("GET with params, headers and the default User-Agent", async () => {
    const r = await s.get("/get?keep=1", {
      params: { a: "1 2", list: ["x", "y"], gone: null },
      headers: { "X-Test": "yes" },
    });
    assert.equal(r.statusCode, 200);
    assert.equal(r.reason, "OK");
    assert.equal(r.httpVersion, 11);
    const body = echo(r);
    assert.deepEqual(body.args, { keep: "1", a: "1 2", list: ["x", "y"] });
    assert.equal(body.headers["X-Test"], "yes");
    assert.match(body.headers["User-Agent"] ?? "", /^niquests\//);
    assert.equal(r.headers.get("content-type"), "application/json");
  });

  test("POST json, form, raw bytes and a chunked stream", async () => {
    assert.deepEqual(echo(await s.post("/post", { json: { k: "v", n: [1, 2] } })).json, {
      k: "v",
      n: [1, 2],
    });
    const form = echo(await s.post("/post", { data: { a: "1", b: ["2", "3"] } }));
    assert.deepEqual(form.form, { a: "1", b: ["2", "3"] });
    const raw = echo(
      await s.put("/put", { data: new Uint8Array([104, 105]), headers: { "Content-Type": "text/plain" } }),
    );
    assert.equal(raw.data, "hi");
    const streamed = await s.post("/post", {
      data: Readable.from([Buffer.from("chunk-1 "), Buffer.from("chunk-2")]),
    });
    assert.equal(streamed.request?.headers.get("Transfer-Encoding"), "chunked");
    assert.equal(echo(streamed).data, "chunk-1 chunk-2");
  });

  test("multipart files with filename, content type and data fields", async () => {
    const r = await s.post("/post", {
      data: { field: "value" },
      files: { upload: ["notes.txt", "file contents", "text/plain"], blob: new Blob(["blob bytes"]) },
    });
    const body = echo(r);
    assert.deepEqual(body.form, { field: "value" });
    assert.equal(body.files.upload, "file contents");
    assert.equal(body.files.blob, "blob bytes");
    assert.match(r.request?.headers.get("Content-Type") ?? "", /^multipart\/form-data; boundary=/);
  });

  test("multipart without files when the caller sets the content type, boundary kept", async () => {
    const r = await s.post("/post", {
      data: { a: "1" },
      headers: { "Content-Type": "multipart/form-data; boundary=my-boundary-123" },
    });
    assert.deepEqual(echo(r).form, { a: "1" });
    assert.equal(r.request?.headers.get("Content-Type"), "multipart/form-data; boundary=my-boundary-123");
  });

  test("gzip, deflate and brotli bodies are decoded", async () => {
    assert.equal((await s.get("/gzip")).json<{ gzipped: boolean }>().gzipped, true);
    assert.equal((await s.get("/deflate")).json<{ deflated: boolean }>().deflated, true);
    assert.equal((await s.get("/brotli")).json<{ brotli: boolean }>().brotli, true);
  });

  test("HEAD has no body; status codes and raiseForStatus", async () => {
    const head = await s.head("/get");
    assert.equal(head.statusCode, 200);
    assert.equal(head.content?.byteLength, 0);
    const teapot = await s.get("/status/418");
    assert.equal(teapot.statusCode, 418);
    assert.equal(teapot.reason, "I'M A TEAPOT");
    assert.throws(() => teapot.raiseForStatus(), HTTPError);
  });

  test("charset from Content-Type; encoding is settable", async () => {
    // httpbin's /base64 wants url-safe base64 with its padding.
    const encoded = Buffer.from("Grüße, ∮ E⋅da = Q")
      .toString("base64")
      .replaceAll("+", "-")
      .replaceAll("/", "_");
    const r = await s.get(`/base64/${encoded}`);
    assert.equal(r.encoding, "utf-8");
    assert.equal(r.text, "Grüße, ∮ E⋅da = Q");
    // "latin1" means windows-1252 (WHATWG), on every Node version: the UTF-8 bytes as cp1252.
    r.encoding = "latin1";
    assert.equal(r.text, "GrÃ¼ÃŸe, âˆ® Eâ‹…da = Q");
  });

  test("the connection is kept alive and reused", async () => {
    const local = new Session({ baseUrl: base });
    const first = await local.get("/get");
    const second = await local.get("/get");
    assert.equal(first.connInfo?.reused, false);
    assert.equal(second.connInfo?.reused, true);
    assert.deepEqual(first.connInfo?.destinationAddress, second.connInfo?.destinationAddress);
    await local.close();
  });
});

describe("httpbin: redirects", { skip: httpbin ? false : "httpbin (gunicorn) is not installed" }, () => {
  test("/redirect/3 follows relative redirects with history", async () => {
    const r = await s.get("/redirect/3");
    assert.equal(r.statusCode, 200);
    assert.equal(r.url, `${base}/get`);
    assert.deepEqual(
      r.history.map((h) => h.statusCode),
      [302, 302, 302],
    );
  });

  test("/absolute-redirect and 307/308 keep method and body", async () => {
    assert.equal((await s.get("/absolute-redirect/2")).url, `${base}/get`);
    for (const code of [307, 308]) {
      const r = await s.post("/redirect-to", { params: { url: "/post", status_code: code }, data: "body!" });
      assert.equal(r.statusCode, 200, `status ${code}`);
      assert.equal(echo(r).data, "body!");
    }
  });

  test("302 and 303 turn POST into GET", async () => {
    for (const code of [302, 303]) {
      const r = await s.post("/redirect-to", { params: { url: "/get", status_code: code }, data: "x" });
      assert.equal(r.statusCode, 200);
      assert.equal(r.request?.method, "GET");
    }
  });

  test("TooManyRedirects beyond maxRedirects", async () => {
    const local = new Session({ baseUrl: base, maxRedirects: 2 });
    await assert.rejects(local.get("/redirect/5"), TooManyRedirects);
    await local.close();
  });

  test("Authorization survives a same-host redirect and is dropped on another host", async () => {
    const same = await s.get("/redirect-to", { params: { url: "/headers" }, auth: ["u", "p"] });
    assert.match(echo(same).headers.Authorization ?? "", /^Basic /);
    const otherHost = base.replace("127.0.0.1", "localhost");
    const cross = await s.get("/redirect-to", { params: { url: `${otherHost}/headers` }, auth: ["u", "p"] });
    assert.equal(cross.url, `${otherHost}/headers`);
    assert.equal(echo(cross).headers.Authorization, undefined);
  });
});

describe("httpbin: cookies and auth", {
  skip: httpbin ? false : "httpbin (gunicorn) is not installed",
}, () => {
  test("Set-Cookie along a redirect lands in the session jar and is sent after", async () => {
    const local = new Session({ baseUrl: base });
    const r = await local.get("/cookies/set", { params: { flavour: "oat" } });
    assert.deepEqual(r.json<{ cookies: Record<string, string> }>().cookies, { flavour: "oat" });
    assert.equal(local.cookies.get("flavour"), "oat");
    const again = await local.get("/cookies");
    assert.deepEqual(again.json<{ cookies: Record<string, string> }>().cookies, { flavour: "oat" });
    await local.get("/cookies/delete", { params: { flavour: "" } });
    assert.equal(local.cookies.get("flavour"), null);
    await local.close();
  });

  test("per-request cookies are sent but not stored", async () => {
    const local = new Session({ baseUrl: base });
    const r = await local.get("/cookies", { cookies: { once: "1" } });
    assert.deepEqual(r.json<{ cookies: Record<string, string> }>().cookies, { once: "1" });
    assert.equal(local.cookies.size, 0);
    await local.close();
  });

  test("one-off calls keep no cookies between calls", async () => {
    await niquests.get(`${base}/cookies/set?oneoff=1`);
    const r = await niquests.get(`${base}/cookies`);
    assert.deepEqual(r.json<{ cookies: Record<string, string> }>().cookies, {});
  });

  test("Basic auth with [user, pass]", async () => {
    const ok = await s.get("/basic-auth/user/pass", { auth: ["user", "pass"] });
    assert.deepEqual(ok.json(), { authenticated: true, user: "user" });
    assert.equal((await s.get("/basic-auth/user/pass", { auth: ["user", "wrong"] })).statusCode, 401);
  });
});

describe("httpbin: streaming and timeouts", {
  skip: httpbin ? false : "httpbin (gunicorn) is not installed",
}, () => {
  test("/stream/5 line by line, /stream-bytes chunked in fixed sizes", async () => {
    const r = await s.get("/stream/5", { stream: true });
    const lines: string[] = [];
    for await (const line of r.iterLines()) lines.push(String(line));
    assert.equal(lines.length, 5);
    assert.equal(JSON.parse(lines[4]!).id, 4);
    const bytes = await s.get("/stream-bytes/1000", { params: { chunk_size: 100, seed: 1 }, stream: true });
    const sizes: number[] = [];
    for await (const chunk of bytes.iterContent(256)) sizes.push((chunk as Uint8Array).byteLength);
    assert.deepEqual(sizes, [256, 256, 256, 232]);
  });

  test("range requests", async () => {
    const r = await s.get("/range/1024", { headers: { Range: "bytes=0-99" } });
    assert.equal(r.statusCode, 206);
    assert.equal(r.content?.byteLength, 100);
  });

  test("a slow response hits the read timeout", async () => {
    const started = performance.now();
    const error = await s.get("/delay/3", { timeout: { connect: 2000, read: 300 } }).catch((e: unknown) => e);
    assert.ok(error instanceof ReadTimeout, String(error));
    assert.equal(error.code, "ERR_READ_TIMEOUT");
    assert.ok(performance.now() - started < 2500);
  });

  test("total timeout bounds the whole call", async () => {
    const error = await s
      .get("/drip", { params: { duration: 3, numbytes: 3 }, timeout: { read: 5000, total: 400 } })
      .catch((e: unknown) => e);
    assert.equal((error as { code?: string }).code, "ERR_TIMEOUT");
  });
});
