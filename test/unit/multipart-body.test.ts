import assert from "node:assert/strict";
import { openAsBlob } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, test } from "node:test";
import { UnrewindableBodyError } from "../../src/errors/errors.ts";
import { generateBoundary, isValidBoundary, MultipartBody } from "../../src/session/multipart-body.ts";
import type { StreamBody } from "../../src/transport/transport.ts";

async function collect(body: StreamBody): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body.open()) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function parse(body: MultipartBody, bytes?: Uint8Array): Promise<FormData> {
  const raw = bytes ?? (await collect(body));
  return new Response(raw, { headers: { "content-type": body.contentType } }).formData();
}

const MiB = 1024 * 1024;

describe("MultipartBody", () => {
  test("produces a well-formed body a multipart parser reads back", async () => {
    const body = new MultipartBody([
      { name: "field", content: "value with ünïcode\r\nand lines" },
      { name: "bytes", content: new Uint8Array([0, 1, 2, 255]) },
      { name: "upload", filename: "report.csv", contentType: "text/csv", content: "a,b\n1,2\n" },
      { name: "blob", filename: "b.bin", content: new Blob([new Uint8Array([9, 8, 7])]) },
    ]);
    const form = await parse(body);
    assert.equal(form.get("field"), "value with ünïcode\r\nand lines");
    assert.equal(form.get("bytes"), Buffer.from([0, 1, 2, 255]).toString("utf8"));
    const upload = form.get("upload") as File;
    assert.equal(upload.name, "report.csv");
    assert.equal(upload.type, "text/csv");
    assert.equal(await upload.text(), "a,b\n1,2\n");
    const blob = form.get("blob") as File;
    assert.equal(blob.type, "application/octet-stream");
    assert.deepEqual(new Uint8Array(await blob.arrayBuffer()), new Uint8Array([9, 8, 7]));
  });

  test("the exact wire layout for a field and a file", async () => {
    const body = new MultipartBody(
      [
        { name: "a", content: "1" },
        { name: "f", filename: "x.txt", content: "hi", headers: { "X-Extra": "yes" } },
      ],
      { boundary: "BOUND" },
    );
    const text = Buffer.from(await collect(body)).toString("latin1");
    assert.equal(
      text,
      '--BOUND\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n' +
        '--BOUND\r\nContent-Disposition: form-data; name="f"; filename="x.txt"\r\n' +
        "Content-Type: application/octet-stream\r\nX-Extra: yes\r\n\r\nhi\r\n--BOUND--\r\n",
    );
  });

  test("length equals the bytes produced for strings, bytes and Blobs", async () => {
    const body = new MultipartBody([
      { name: "ü", content: "€uro" },
      { name: "big", content: new Uint8Array(100_000).fill(7) },
      {
        name: "blob",
        filename: "ä.txt",
        content: new Blob(["abc", new Uint8Array(70_000)], { type: "x/y" }),
      },
      { name: "empty", content: "" },
    ]);
    assert.equal(body.rewindable, true);
    const bytes = await collect(body);
    assert.equal(body.length, bytes.byteLength);
  });

  test("no parts still closes the multipart", async () => {
    const body = new MultipartBody([], { boundary: "xyz" });
    const bytes = await collect(body);
    assert.equal(Buffer.from(bytes).toString(), "--xyz--\r\n");
    assert.equal(body.length, bytes.byteLength);
  });

  test("a stream part of unknown size makes the length unknown and the body one-shot", async () => {
    const body = new MultipartBody([
      { name: "a", content: "1" },
      { name: "s", filename: "s.txt", content: Readable.from(["chunk1", "chunk2"]) },
    ]);
    assert.equal(body.length, null);
    assert.equal(body.rewindable, false);
    const form = await parse(body);
    assert.equal(await (form.get("s") as File).text(), "chunk1chunk2");
    assert.throws(
      () => body.open(),
      (e: unknown) => e instanceof UnrewindableBodyError,
    );
  });

  test("a rewindable body replays the same bytes", async () => {
    const body = new MultipartBody([
      { name: "a", content: "x" },
      { name: "b", filename: "b", content: new Blob(["blob data"]) },
    ]);
    const first = await collect(body);
    const second = await collect(body);
    assert.deepEqual(second, first);
  });

  test("a caller-given boundary is kept, quoted in the Content-Type when needed", async () => {
    const plain = new MultipartBody([{ name: "a", content: "1" }], { boundary: "my-boundary_123" });
    assert.equal(plain.boundary, "my-boundary_123");
    assert.equal(plain.contentType, "multipart/form-data; boundary=my-boundary_123");
    assert.ok(
      Buffer.from(await collect(plain))
        .toString()
        .startsWith("--my-boundary_123\r\n"),
    );

    const spaced = new MultipartBody([{ name: "a", content: "1" }], { boundary: "a b:c" });
    assert.equal(spaced.contentType, 'multipart/form-data; boundary="a b:c"');
    assert.equal((await parse(spaced)).get("a"), "1");
  });

  test("invalid boundaries are rejected", () => {
    for (const boundary of ["", "x".repeat(71), "ends with space ", "a\r\nb", 'q"uote', "é"]) {
      assert.throws(() => new MultipartBody([], { boundary }), TypeError, JSON.stringify(boundary));
      assert.equal(isValidBoundary(boundary), false);
    }
  });

  test("generated boundaries are 32 random hex chars", () => {
    const a = generateBoundary();
    const b = generateBoundary();
    assert.match(a, /^[0-9a-f]{32}$/);
    assert.notEqual(a, b);
    assert.match(new MultipartBody([]).contentType, /^multipart\/form-data; boundary=[0-9a-f]{32}$/);
  });

  test("names and filenames are escaped as the WHATWG HTML spec says", async () => {
    const body = new MultipartBody(
      [
        { name: 'a"b\nc\rd\r\ne', content: "v" },
        { name: "f", filename: 'x\ny"z\r.txt', content: "w" },
        { name: "naïve", filename: "résumé.pdf", content: "u" },
      ],
      { boundary: "B" },
    );
    const text = Buffer.from(await collect(body)).toString("utf8");
    assert.ok(text.includes('name="a%22b%0D%0Ac%0D%0Ad%0D%0Ae"'), text);
    assert.ok(text.includes('filename="x%0Ay%22z%0D.txt"'), text);
    assert.ok(text.includes('name="naïve"; filename="résumé.pdf"'), text);
  });

  test("content type defaults: Blob type, octet-stream for files, none for fields, null omits", async () => {
    const body = new MultipartBody(
      [
        { name: "field", content: "1" },
        { name: "typed", filename: "t", content: new Blob(["x"], { type: "image/png" }) },
        { name: "none", filename: "n", content: "x", contentType: null },
        { name: "hdr", filename: "h", content: "x", headers: [["content-type", "text/x"]] },
      ],
      { boundary: "B" },
    );
    const text = Buffer.from(await collect(body)).toString();
    const heads = text.split("--B").slice(1, -1);
    assert.equal(heads.length, 4);
    assert.doesNotMatch(heads[0]!, /Content-Type/i);
    assert.match(heads[1]!, /\r\nContent-Type: image\/png\r\n/);
    assert.doesNotMatch(heads[2]!, /Content-Type/i);
    assert.match(heads[3]!, /\r\ncontent-type: text\/x\r\n/);
    assert.equal(heads[3]!.match(/content-type/gi)?.length, 1);
  });

  test("invalid extra part headers are rejected", () => {
    assert.throws(() => new MultipartBody([{ name: "a", content: "1", headers: { "X-A": "b\r\nc" } }]), {
      name: "InvalidHeader",
    });
  });

  test("a 10 MB multi-part Blob is streamed, not read whole before the first chunk", async () => {
    let pulled = 0;
    class SpyBlob extends Blob {
      override stream(): ReadableStream<Uint8Array> {
        const reader = super.stream().getReader();
        return new ReadableStream({
          async pull(controller) {
            const step = await reader.read();
            if (step.done) controller.close();
            else {
              pulled += step.value.byteLength;
              controller.enqueue(step.value);
            }
          },
        });
      }
    }
    const pieces = Array.from({ length: 160 }, () => new Uint8Array(64 * 1024));
    const blob = new SpyBlob(pieces);
    assert.equal(blob.size, 10 * MiB);
    const body = new MultipartBody([{ name: "f", filename: "big", content: blob }]);
    let total = 0;
    let maxChunk = 0;
    let pulledAtFirstBlobByte: number | null = null;
    for await (const chunk of body.open()) {
      if (pulledAtFirstBlobByte === null && pulled > 0) pulledAtFirstBlobByte = pulled;
      total += chunk.byteLength;
      maxChunk = Math.max(maxChunk, chunk.byteLength);
    }
    assert.ok(pulledAtFirstBlobByte !== null && pulledAtFirstBlobByte < 2 * MiB, `${pulledAtFirstBlobByte}`);
    assert.equal(pulled, 10 * MiB);
    assert.equal(total, body.length);
    assert.ok(maxChunk <= MiB, `max chunk ${maxChunk}`);
  });

  test("a single 10 MB in-memory Blob part is yielded in chunks of at most 1 MiB", async () => {
    const body = new MultipartBody([
      { name: "f", filename: "big", content: new Blob([new Uint8Array(10 * MiB)]) },
    ]);
    let total = 0;
    let count = 0;
    for await (const chunk of body.open()) {
      assert.ok(chunk.byteLength <= MiB, `chunk of ${chunk.byteLength}`);
      total += chunk.byteLength;
      count++;
    }
    assert.equal(total, body.length);
    assert.ok(count > 10);
  });

  test("a file-backed Blob yields its first chunk long before the file is read", async () => {
    const dir = await mkdtemp(join(tmpdir(), "niquests-mp-"));
    try {
      const path = join(dir, "big.bin");
      await writeFile(path, new Uint8Array(10 * MiB).fill(0x61));
      const blob = await openAsBlob(path);
      const body = new MultipartBody([{ name: "f", filename: "big.bin", content: blob }]);
      assert.equal(typeof body.length, "number");
      const iterator = body.open()[Symbol.asyncIterator]();
      const head = await iterator.next(); // part head
      const first = await iterator.next(); // first file chunk
      assert.equal(head.done, false);
      assert.equal(first.done, false);
      assert.ok(first.value!.byteLength <= MiB);
      assert.equal(first.value![0], 0x61);
      await iterator.return?.();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("stopping early cancels a ReadableStream part", async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(1024));
      },
      cancel() {
        cancelled = true;
      },
    });
    const body = new MultipartBody([{ name: "s", filename: "s", content: stream }]);
    let seen = 0;
    for await (const _chunk of body.open()) {
      if (++seen === 3) break;
    }
    assert.equal(cancelled, true);
  });

  test("a stream part yielding a non-byte chunk fails with a TypeError", async () => {
    const body = new MultipartBody([{ name: "s", content: Readable.from([{ not: "bytes" }]) }]);
    await assert.rejects(
      collect(body),
      (e: unknown) => e instanceof TypeError && /Uint8Array or string/.test(e.message),
    );
  });
});
