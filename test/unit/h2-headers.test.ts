import assert from "node:assert/strict";
import { test } from "node:test";
import { headerListFromRaw, requestHeaderBlock, statusFromRaw } from "../../src/protocols/h2/h2-headers.ts";

test("request header block: pseudo-headers, lowercase names, Host as :authority, duplicates kept", () => {
  const block = requestHeaderBlock("POST", new URL("https://example.com:8443/a/b?x=1&y=2"), [
    ["Host", "example.com:8443"],
    ["User-Agent", "niquests"],
    ["Cookie", "a=1"],
    ["Cookie", "b=2"],
    ["X-Mixed-Case", "v"],
  ]);
  assert.deepEqual(block, {
    ":method": "POST",
    ":scheme": "https",
    ":authority": "example.com:8443",
    ":path": "/a/b?x=1&y=2",
    "user-agent": "niquests",
    cookie: ["a=1", "b=2"],
    "x-mixed-case": "v",
  });
});

test("connection-specific fields are never sent; TE only as trailers", () => {
  const block = requestHeaderBlock("GET", new URL("http://h/"), [
    ["Connection", "keep-alive"],
    ["Keep-Alive", "timeout=5"],
    ["Proxy-Connection", "x"],
    ["Transfer-Encoding", "chunked"],
    ["Upgrade", "h2c"],
    ["TE", "gzip"],
    ["Accept", "*/*"],
  ]);
  assert.deepEqual(block, {
    ":method": "GET",
    ":scheme": "http",
    ":authority": "h",
    ":path": "/",
    accept: "*/*",
  });
  assert.equal(requestHeaderBlock("GET", new URL("http://h/"), [["TE", "trailers"]]).te, "trailers");
});

test("a Host header wins over the URL authority (a preSend hook may set it)", () => {
  const block = requestHeaderBlock("GET", new URL("https://127.0.0.1:1/"), [["host", "virtual.example"]]);
  assert.equal(block[":authority"], "virtual.example");
});

test("response raw headers: pseudo-headers dropped, wire order and duplicates kept", () => {
  const raw = [":status", "200", "set-cookie", "a=1", "x", "1", "set-cookie", "b=2"];
  assert.deepEqual(headerListFromRaw(raw), [
    ["set-cookie", "a=1"],
    ["x", "1"],
    ["set-cookie", "b=2"],
  ]);
  assert.equal(statusFromRaw(raw), 200);
  assert.ok(Number.isNaN(statusFromRaw(["x", "1"])));
});
