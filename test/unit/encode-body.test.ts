import assert from "node:assert/strict";
import { createReadStream } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, test } from "node:test";
import { InvalidHeader, InvalidJSONError, UnrewindableBodyError } from "../../src/errors/errors.ts";
import { type EncodedBody, encodeBody } from "../../src/session/encode-body.ts";
import { MultipartBody } from "../../src/session/multipart-body.ts";
import type { RequestBody, StreamBody } from "../../src/transport/transport.ts";

async function bytesOf(body: RequestBody | null): Promise<Uint8Array> {
  assert.ok(body !== null, "expected a body");
  if (body instanceof Uint8Array) return body;
  const chunks: Uint8Array[] = [];
  for await (const chunk of body.open()) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function textOf(body: RequestBody | null): Promise<string> {
  return Buffer.from(await bytesOf(body)).toString("utf8");
}

async function formOf(encoded: EncodedBody): Promise<FormData> {
  assert.ok(encoded.contentType !== null);
  const raw = await bytesOf(encoded.body);
  return new Response(raw, { headers: { "content-type": encoded.contentType } }).formData();
}

function asStream(body: RequestBody | null): StreamBody {
  assert.ok(body !== null && !(body instanceof Uint8Array), "expected a stream body");
  return body;
}

describe("encodeBody: data", () => {
  test("nothing given means no body and no content type", () => {
    assert.deepEqual(encodeBody({}), { body: null, contentType: null });
    assert.deepEqual(encodeBody({ data: null, files: null }), { body: null, contentType: null });
  });

  test("a string is UTF-8 bytes with no content type", async () => {
    const out = encodeBody({ data: "héllo" });
    assert.ok(out.body instanceof Uint8Array);
    assert.deepEqual(out.body, new Uint8Array(Buffer.from("héllo", "utf8")));
    assert.equal(out.contentType, null);
  });

  test("the caller's content type is returned unchanged", () => {
    assert.equal(encodeBody({ data: "x", contentType: "text/plain" }).contentType, "text/plain");
    assert.equal(encodeBody({ data: { a: "1" }, contentType: "text/x" }).contentType, "text/x");
  });

  test("bytes, ArrayBuffer and other views are sent as their bytes", async () => {
    const u8 = new Uint8Array([1, 2, 3]);
    assert.equal(encodeBody({ data: u8 }).body, u8);
    assert.deepEqual(await bytesOf(encodeBody({ data: u8.buffer }).body), u8);
    const view = new DataView(new Uint8Array([0, 1, 2, 3, 4]).buffer, 1, 3);
    assert.deepEqual(await bytesOf(encodeBody({ data: view }).body), u8);
    assert.deepEqual(
      await bytesOf(encodeBody({ data: new Uint16Array([0x0201]) }).body),
      new Uint8Array([1, 2]),
    );
  });

  test("empty data counts as absent, like Python's truthiness", () => {
    for (const data of ["", new Uint8Array(0), {}, [], new URLSearchParams()]) {
      assert.deepEqual(encodeBody({ data }), { body: null, contentType: null });
    }
  });

  test("a Blob is a rewindable stream of known length with the Blob's type", async () => {
    const blob = new Blob(["abc", "def"], { type: "text/plain" });
    const out = encodeBody({ data: blob });
    const body = asStream(out.body);
    assert.equal(body.length, 6);
    assert.equal(body.rewindable, true);
    assert.equal(out.contentType, "text/plain");
    assert.equal(await textOf(body), "abcdef");
    assert.equal(await textOf(body), "abcdef");
    assert.equal(encodeBody({ data: new Blob(["x"]) }).contentType, null);
  });

  test("records are form-urlencoded: arrays repeat, nulls dropped", async () => {
    const out = encodeBody({ data: { a: "1 2", b: ["x", "y"], c: null, d: 3 } });
    assert.equal(out.contentType, "application/x-www-form-urlencoded");
    assert.equal(await textOf(out.body), "a=1+2&b=x&b=y&d=3");
  });

  test("pairs, Map and URLSearchParams are form-urlencoded too", async () => {
    assert.equal(
      await textOf(
        encodeBody({
          data: [
            ["k", "v/1"],
            ["k", "v2"],
          ],
        }).body,
      ),
      "k=v%2F1&k=v2",
    );
    assert.equal(await textOf(encodeBody({ data: new Map([["m", "é"]]) }).body), "m=%C3%A9");
    const usp = encodeBody({ data: new URLSearchParams("q=a b") });
    assert.equal(await textOf(usp.body), "q=a+b");
    assert.equal(usp.contentType, "application/x-www-form-urlencoded");
  });

  test("byte field values are percent-encoded byte by byte", async () => {
    assert.equal(await textOf(encodeBody({ data: { b: new Uint8Array([0xff, 0x20]) } }).body), "b=%FF+");
  });

  test("records become multipart when the caller's content type is multipart/form-data", async () => {
    const out = encodeBody({ data: { a: "1", b: ["x", "y"] }, contentType: "multipart/form-data" });
    assert.ok(out.body instanceof MultipartBody);
    assert.equal(out.contentType, `multipart/form-data; boundary=${out.body.boundary}`);
    const form = await formOf(out);
    assert.equal(form.get("a"), "1");
    assert.deepEqual(form.getAll("b"), ["x", "y"]);
  });

  test("a caller-given multipart boundary is used and the header kept", async () => {
    const contentType = 'Multipart/Form-Data; charset=utf-8; boundary="my boundary"';
    const out = encodeBody({ data: [["a", "1"]], contentType });
    assert.equal(out.contentType, contentType);
    assert.ok(out.body instanceof MultipartBody);
    assert.equal(out.body.boundary, "my boundary");
    assert.ok((await textOf(out.body)).startsWith("--my boundary\r\n"));
  });

  test("an invalid caller-given boundary is an InvalidHeader", () => {
    assert.throws(
      () => encodeBody({ data: { a: "1" }, contentType: `multipart/form-data; boundary=${"x".repeat(80)}` }),
      InvalidHeader,
    );
  });

  test("FormData is multipart, files as file parts", async () => {
    const fd = new FormData();
    fd.append("field", "value");
    fd.append("doc", new File(["file body"], "doc.txt", { type: "text/plain" }));
    fd.append("anon", new Blob(["b"]));
    const out = encodeBody({ data: fd });
    assert.match(out.contentType ?? "", /^multipart\/form-data; boundary=[0-9a-f]{32}$/);
    const form = await formOf(out);
    assert.equal(form.get("field"), "value");
    const doc = form.get("doc") as File;
    assert.equal(doc.name, "doc.txt");
    assert.equal(doc.type, "text/plain");
    assert.equal(await doc.text(), "file body");
    assert.equal((form.get("anon") as File).name, "blob");
  });

  test("a Node Readable is a one-shot stream of unknown length", async () => {
    const out = encodeBody({ data: Readable.from([Buffer.from("ab"), "cd"]) });
    const body = asStream(out.body);
    assert.equal(body.length, null);
    assert.equal(body.rewindable, false);
    assert.equal(out.contentType, null);
    assert.equal(await textOf(body), "abcd");
    assert.throws(() => body.open(), UnrewindableBodyError);
  });

  test("a WHATWG ReadableStream is a one-shot stream", async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array([104, 105]));
        controller.close();
      },
    });
    const body = asStream(encodeBody({ data: stream }).body);
    assert.equal(body.length, null);
    assert.equal(body.rewindable, false);
    assert.equal(await textOf(body), "hi");
    assert.throws(() => body.open(), UnrewindableBodyError);
  });

  test("sync and async generators are streamed; empty chunks are skipped", async () => {
    function* sync() {
      yield "a";
      yield new Uint8Array(0);
      yield new Uint8Array([98]);
    }
    async function* asyncGen() {
      yield "x";
      yield "";
      yield new Uint8Array([121]);
    }
    const s = asStream(encodeBody({ data: sync() }).body);
    const chunks: Uint8Array[] = [];
    for await (const c of s.open()) chunks.push(c);
    assert.deepEqual(
      chunks.map((c) => c.byteLength),
      [1, 1],
    );
    assert.equal(await textOf(encodeBody({ data: asyncGen() }).body), "xy");
  });

  test("a chunk that is not bytes or text fails the iteration with a TypeError", async () => {
    function* bad() {
      yield "ok";
      yield 42 as unknown as string;
    }
    await assert.rejects(bytesOf(encodeBody({ data: bad() }).body), /Uint8Array or string, got number/);
  });

  test("an existing StreamBody is passed through, a MultipartBody with its content type", () => {
    const mp = new MultipartBody([{ name: "a", content: "1" }]);
    const out = encodeBody({ data: mp });
    assert.equal(out.body, mp);
    assert.equal(out.contentType, mp.contentType);
  });

  test("unsupported data types are a TypeError", () => {
    assert.throws(() => encodeBody({ data: 42 as never }), TypeError);
  });
});

describe("encodeBody: json", () => {
  test("serialised to UTF-8 with application/json", async () => {
    const out = encodeBody({ json: { a: [1, "é"], b: null } });
    assert.equal(out.contentType, "application/json");
    assert.equal(await textOf(out.body), '{"a":[1,"é"],"b":null}');
  });

  test("null is the JSON text null; undefined means absent", async () => {
    assert.equal(await textOf(encodeBody({ json: null }).body), "null");
    assert.deepEqual(encodeBody({ json: undefined }), { body: null, contentType: null });
  });

  test("ignored when data or files are given, used when data is empty", async () => {
    assert.equal(await textOf(encodeBody({ data: "raw", json: { a: 1 } }).body), "raw");
    const withFiles = encodeBody({ files: { f: "x" }, json: { a: 1 } });
    assert.ok(withFiles.body instanceof MultipartBody);
    assert.equal(await textOf(encodeBody({ data: {}, json: [1] }).body), "[1]");
  });

  test("a caller content type is kept", () => {
    assert.equal(
      encodeBody({ json: 1, contentType: "application/vnd.api+json" }).contentType,
      "application/vnd.api+json",
    );
  });

  test("values JSON cannot encode are InvalidJSONError with the cause", () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    for (const json of [10n, circular, { deep: [1n] }]) {
      assert.throws(
        () => encodeBody({ json }),
        (e: unknown) =>
          e instanceof InvalidJSONError && e.code === "ERR_INVALID_JSON" && e.cause instanceof TypeError,
      );
    }
    assert.throws(() => encodeBody({ json: () => 1 }), InvalidJSONError);
    assert.throws(() => encodeBody({ json: Symbol("s") }), InvalidJSONError);
  });
});

describe("encodeBody: files", () => {
  test("plain contents use the key as filename; data fields come first", async () => {
    const out = encodeBody({
      data: { a: "1", b: ["x", "y"] },
      files: { upload: "file text", raw: new Uint8Array([1, 2]) },
    });
    assert.ok(out.body instanceof MultipartBody);
    assert.equal(out.contentType, out.body.contentType);
    const text = await textOf(out.body);
    const order = [...text.matchAll(/; name="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(order, ["a", "b", "b", "upload", "raw"]);
    const form = await formOf(out);
    const upload = form.get("upload") as File;
    assert.equal(upload.name, "upload");
    assert.equal(await upload.text(), "file text");
    assert.equal((form.get("raw") as File).name, "raw");
  });

  test("tuples set filename, content type and part headers; a null filename makes a plain field", async () => {
    const out = encodeBody({
      files: [
        ["doc", ["report.json", '{"a":1}', "application/json", { "X-Part": "1" }]],
        ["field", [null, "just a value"]],
        ["skipped", [null, null]],
        ["gone", null],
      ],
    });
    const text = await textOf(out.body);
    assert.match(
      text,
      /name="doc"; filename="report.json"\r\nContent-Type: application\/json\r\nX-Part: 1\r\n/,
    );
    assert.match(text, /name="field"\r\n\r\njust a value\r\n/);
    assert.doesNotMatch(text, /skipped|gone/);
    const form = await formOf(out);
    assert.equal(form.get("field"), "just a value");
    assert.equal(((await (form.get("doc") as File).text()) as string).length, 7);
  });

  test("a File keeps its name; an fs.ReadStream uses its path's basename", async () => {
    const dir = await mkdtemp(join(tmpdir(), "niquests-eb-"));
    try {
      const path = join(dir, "notes.txt");
      await writeFile(path, "from disk");
      const out = encodeBody({
        files: { f: new File(["x"], "pic.png", { type: "image/png" }), disk: createReadStream(path) },
      });
      const body = asStream(out.body);
      assert.equal(body.length, null);
      assert.equal(body.rewindable, false);
      const form = await formOf(out);
      const file = form.get("f") as File;
      assert.equal(file.name, "pic.png");
      assert.equal(file.type, "image/png");
      const disk = form.get("disk") as File;
      assert.equal(disk.name, "notes.txt");
      assert.equal(await disk.text(), "from disk");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("FormData data is merged before the files", async () => {
    const fd = new FormData();
    fd.append("first", "1");
    const form = await formOf(encodeBody({ data: fd, files: { second: "2" } }));
    assert.deepEqual([...form.keys()], ["first", "second"]);
  });

  test("a multipart caller content type without boundary is completed", () => {
    const out = encodeBody({ files: { f: "x" }, contentType: "multipart/form-data" });
    assert.ok(out.body instanceof MultipartBody);
    assert.equal(out.contentType, `multipart/form-data; boundary=${out.body.boundary}`);
  });

  test("non-field data with files is a TypeError", () => {
    assert.throws(() => encodeBody({ data: "a=1", files: { f: "x" } }), TypeError);
    assert.throws(() => encodeBody({ data: new Uint8Array([1]), files: { f: "x" } }), TypeError);
  });

  test("empty files fall back to data / json", async () => {
    assert.equal(await textOf(encodeBody({ files: {}, json: 1 }).body), "1");
  });
});
