import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import zlib from "node:zlib";
import { ContentDecodingError } from "../../src/errors/errors.ts";
import {
  type ContentDecoder,
  createContentDecoder,
  SUPPORTED_ENCODINGS,
} from "../../src/models/content-decoder.ts";

const fixture = (name: string): Uint8Array => readFileSync(new URL(`../data/${name}`, import.meta.url));

/** The text inside the zstd fixtures (made with `zstd` from exactly this). */
function fixtureText(): string {
  let text = "";
  for (let i = 0; i < 500; i++)
    text += `line ${i}: niquests zstd fixture, the quick brown fox jumps over the lazy dog\n`;
  return text;
}

/** ~200 KB of varied text, so outputs span many engine chunks. */
const SAMPLE = Buffer.from(
  Array.from({ length: 4000 }, (_, i) => `${i} ${(i * 2654435761) % 1000003} lorem ipsum\n`).join(""),
);

function split(data: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}

async function pushAll(decoder: ContentDecoder, chunks: Uint8Array[]): Promise<Buffer> {
  const out: Uint8Array[] = [];
  for (const chunk of chunks) out.push(...(await decoder.push(chunk)));
  out.push(...(await decoder.end()));
  return Buffer.concat(out);
}

function decoderFor(encoding: string, maxDecodedBytes: number | null = null): ContentDecoder {
  const decoder = createContentDecoder(encoding, { maxDecodedBytes });
  assert.ok(decoder, `a decoder for ${encoding}`);
  return decoder;
}

const ENCODERS: Record<string, (data: Uint8Array) => Uint8Array> = {
  gzip: (data) => zlib.gzipSync(data),
  "x-gzip": (data) => zlib.gzipSync(data),
  deflate: (data) => zlib.deflateSync(data),
  "deflate (raw)": (data) => zlib.deflateRawSync(data),
  br: (data) => zlib.brotliCompressSync(data),
};
const headerOf = (name: string): string => name.replace(" (raw)", "");

describe("createContentDecoder: which codings", () => {
  test("nothing to decode gives null", () => {
    for (const value of [null, "", "identity", " IDENTITY ", "compress", "gzip, compress", "x-custom"]) {
      assert.equal(createContentDecoder(value), null, String(value));
    }
  });

  test("codings are undone last-applied first; unknown ones stop the walk", () => {
    assert.deepEqual(decoderFor("gzip, br").codings, ["br", "gzip"]);
    assert.deepEqual(decoderFor("X-GZIP").codings, ["gzip"]);
    assert.deepEqual(decoderFor("compress, gzip").codings, ["gzip"]);
    assert.deepEqual(decoderFor("gzip, identity").codings, ["gzip"]);
  });

  test("SUPPORTED_ENCODINGS lists exactly decodable codings", () => {
    const listed = SUPPORTED_ENCODINGS.split(",").map((token) => token.trim());
    assert.deepEqual(listed.sort(), ["br", "deflate", "gzip", "zstd"]);
    for (const coding of listed) assert.deepEqual(decoderFor(coding).codings, [coding]);
  });

  test("maxDecodedBytes must be a non-negative integer", () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => createContentDecoder("gzip", { maxDecodedBytes: bad }), RangeError);
    }
  });
});

describe("round trips", () => {
  for (const [name, encode] of Object.entries(ENCODERS)) {
    const encoded = encode(SAMPLE);
    test(`${name}: decode() in one call`, () => {
      assert.deepEqual(Buffer.from(decoderFor(headerOf(name)).decode(encoded)), SAMPLE);
    });
    for (const size of [7, 4096, encoded.length]) {
      test(`${name}: push/end in chunks of ${size}`, async () => {
        assert.deepEqual(await pushAll(decoderFor(headerOf(name)), split(encoded, size)), SAMPLE);
      });
    }
    test(`${name}: push/end byte by byte`, async () => {
      const small = SAMPLE.subarray(0, 3000);
      assert.deepEqual(await pushAll(decoderFor(headerOf(name)), split(encode(small), 1)), small);
    });
  }

  test("zstd fixture (single segment, checksum) in one call and byte by byte", async () => {
    const expected = Buffer.from(fixtureText());
    assert.deepEqual(Buffer.from(decoderFor("zstd").decode(fixture("text.zst"))), expected);
    assert.deepEqual(await pushAll(decoderFor("zstd"), split(fixture("text.zst"), 1)), expected);
  });

  test("zstd with two frames", async () => {
    const expected = Buffer.from(fixtureText() + fixtureText());
    assert.deepEqual(Buffer.from(decoderFor("zstd").decode(fixture("two-frames.zst"))), expected);
    assert.deepEqual(await pushAll(decoderFor("zstd"), split(fixture("two-frames.zst"), 100)), expected);
  });

  test("multi-member gzip decodes every member", async () => {
    const two = Buffer.concat([zlib.gzipSync(SAMPLE), zlib.gzipSync(SAMPLE)]);
    const expected = Buffer.concat([SAMPLE, SAMPLE]);
    assert.deepEqual(Buffer.from(decoderFor("gzip").decode(two)), expected);
    assert.deepEqual(await pushAll(decoderFor("gzip"), [two]), expected);
    assert.deepEqual(await pushAll(decoderFor("gzip"), split(two, 5000)), expected);
  });

  test("stacked gzip, br: brotli undone first", async () => {
    const body = zlib.brotliCompressSync(zlib.gzipSync(SAMPLE));
    assert.deepEqual(Buffer.from(decoderFor("gzip, br").decode(body)), SAMPLE);
    assert.deepEqual(await pushAll(decoderFor("gzip, br"), split(body, 333)), SAMPLE);
  });

  test("stacked zstd, gzip: zstd data inside gzip", async () => {
    // Node 20 has no zstd compressor, so the zstd layer comes from the fixture.
    const body = zlib.gzipSync(fixture("text.zst"));
    assert.deepEqual(Buffer.from(decoderFor("zstd, gzip").decode(body)), Buffer.from(fixtureText()));
    assert.deepEqual(await pushAll(decoderFor("zstd, gzip"), split(body, 50)), Buffer.from(fixtureText()));
  });

  test("an unknown inner coding is left in place", () => {
    const body = zlib.gzipSync(SAMPLE);
    assert.deepEqual(Buffer.from(decoderFor("compress, gzip").decode(body)), SAMPLE);
  });

  test("bytes after the end of deflate or brotli data are dropped, as zlib does", async () => {
    for (const [coding, encode] of [
      ["deflate", zlib.deflateSync],
      ["br", zlib.brotliCompressSync],
    ] as const) {
      const encoded = encode(SAMPLE);
      const body = Buffer.concat([encoded, Buffer.from("TRAILING")]);
      assert.deepEqual(Buffer.from(decoderFor(coding).decode(body)), SAMPLE);
      assert.deepEqual(await pushAll(decoderFor(coding), [encoded, Buffer.from("TRAILING")]), SAMPLE);
    }
  });

  test("stream() decodes an async iterable", async () => {
    async function* source(): AsyncGenerator<Uint8Array> {
      yield* split(zlib.gzipSync(SAMPLE), 1000);
    }
    const out: Uint8Array[] = [];
    for await (const chunk of decoderFor("gzip").stream(source())) out.push(chunk);
    assert.deepEqual(Buffer.concat(out), SAMPLE);
  });
});

describe("empty bodies", () => {
  for (const coding of ["gzip", "deflate", "br", "zstd", "gzip, br"]) {
    test(`${coding}: empty in, empty out`, async () => {
      assert.equal(decoderFor(coding).decode(new Uint8Array(0)).length, 0);
      assert.equal((await pushAll(decoderFor(coding), [])).length, 0);
      assert.equal((await pushAll(decoderFor(coding), [new Uint8Array(0)])).length, 0);
    });
  }
});

describe("streaming does not lag", () => {
  test("push resolves with everything a sync-flushed chunk holds", async () => {
    const first = Buffer.from("first part of a long-lived stream\n".repeat(50));
    // Sync-flushed: complete output so far, but no end of stream (like an SSE server's gzip).
    const partial = zlib.gzipSync(first, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const decoder = decoderFor("gzip");
    assert.deepEqual(Buffer.concat(await decoder.push(partial)), first);
    await assert.rejects(decoder.end(), ContentDecodingError);
  });

  test("zstd output of a complete block comes out on push", async () => {
    const decoder = decoderFor("zstd");
    const data = fixture("two-frames.zst");
    const half = Math.floor(data.length / 2) + 60;
    const out = Buffer.concat(await decoder.push(data.subarray(0, half)));
    assert.deepEqual(out, Buffer.from(fixtureText()));
  });
});

describe("corrupt and truncated data", () => {
  function corrupt(data: Uint8Array): Buffer {
    const copy = Buffer.from(data);
    for (let i = 20; i < 60; i++) copy[i] = copy[i]! ^ 0x5a;
    return copy;
  }
  const cases: Array<[string, Uint8Array]> = [
    ["gzip", zlib.gzipSync(SAMPLE)],
    ["deflate", zlib.deflateSync(SAMPLE)],
    ["br", zlib.brotliCompressSync(SAMPLE)],
    ["zstd", fixture("text.zst")],
  ];
  for (const [coding, encoded] of cases) {
    test(`${coding}: corrupt data gives ContentDecodingError with a cause`, async () => {
      const bad = corrupt(encoded);
      const withCause = (error: unknown): boolean =>
        error instanceof ContentDecodingError &&
        error.cause !== undefined &&
        error.code === "ERR_CONTENT_DECODING";
      assert.throws(() => decoderFor(coding).decode(bad), withCause);
      await assert.rejects(pushAll(decoderFor(coding), split(bad, 1000)), ContentDecodingError);
    });

    test(`${coding}: truncated data gives ContentDecodingError`, async () => {
      const cut = encoded.subarray(0, encoded.length - 5);
      assert.throws(() => decoderFor(coding).decode(cut), ContentDecodingError);
      await assert.rejects(pushAll(decoderFor(coding), [cut]), ContentDecodingError);
      await assert.rejects(pushAll(decoderFor(coding), split(cut, 999)), ContentDecodingError);
    });
  }

  test("gzip followed by garbage is rejected", () => {
    const body = Buffer.concat([zlib.gzipSync(SAMPLE), Buffer.from("not gzip at all")]);
    assert.throws(() => decoderFor("gzip").decode(body), ContentDecodingError);
  });

  test("a failed decoder stays failed", async () => {
    const decoder = decoderFor("gzip");
    await assert.rejects(decoder.push(Buffer.from("definitely not gzip data")), ContentDecodingError);
    await assert.rejects(decoder.push(zlib.gzipSync(SAMPLE)), ContentDecodingError);
    await assert.rejects(decoder.end(), ContentDecodingError);
  });

  test("a single byte of deflate is truncated", async () => {
    await assert.rejects(pushAll(decoderFor("deflate"), [Buffer.from([0x78])]), ContentDecodingError);
  });

  test("zstd frames asking for a window over 8 MB are refused", async () => {
    assert.throws(() => decoderFor("zstd").decode(fixture("wlog24.zst")), /window/);
    await assert.rejects(pushAll(decoderFor("zstd"), [fixture("wlog24.zst")]), ContentDecodingError);
  });
});

describe("maxDecodedBytes", () => {
  const isCapError = (error: unknown): boolean =>
    error instanceof ContentDecodingError &&
    /maxDecodedBytes/.test(error.message) &&
    error.cause === undefined;

  test("a body of exactly the cap passes; one byte less fails", async () => {
    const encoded = zlib.gzipSync(SAMPLE);
    assert.equal(decoderFor("gzip", SAMPLE.length).decode(encoded).length, SAMPLE.length);
    assert.equal(
      (await pushAll(decoderFor("gzip", SAMPLE.length), split(encoded, 999))).length,
      SAMPLE.length,
    );
    assert.throws(() => decoderFor("gzip", SAMPLE.length - 1).decode(encoded), isCapError);
    await assert.rejects(pushAll(decoderFor("gzip", SAMPLE.length - 1), [encoded]), isCapError);
    await assert.rejects(pushAll(decoderFor("gzip", SAMPLE.length - 1), split(encoded, 999)), isCapError);
  });

  test("a cap of 0 allows only empty output", async () => {
    assert.equal(decoderFor("br", 0).decode(new Uint8Array(0)).length, 0);
    const one = zlib.brotliCompressSync(Buffer.from("x"));
    assert.throws(() => decoderFor("br", 0).decode(one), isCapError);
    await assert.rejects(pushAll(decoderFor("br", 0), [one]), isCapError);
  });

  test("stacked layers are each held to the cap", async () => {
    const body = zlib.brotliCompressSync(zlib.gzipSync(SAMPLE));
    assert.throws(() => decoderFor("gzip, br", 1000).decode(body), isCapError);
    await assert.rejects(pushAll(decoderFor("gzip, br", 1000), split(body, 100)), isCapError);
  });

  describe("decompression bombs: 10 MB of zeros, cap 1 MB", () => {
    const MB = 1024 * 1024;
    const zeros = Buffer.alloc(10 * MB);
    const bombs: Array<[string, Uint8Array]> = [
      ["gzip", zlib.gzipSync(zeros, { level: 9 })],
      ["deflate", zlib.deflateSync(zeros, { level: 9 })],
      ["br", zlib.brotliCompressSync(zeros)],
      ["zstd", fixture("zeros-10m.zst")],
    ];
    for (const [coding, bomb] of bombs) {
      test(`${coding}: decode() stops before decoding it all`, () => {
        // Spoil the end of the data: a decoder that inflated everything before checking the size
        // would report corruption instead of the cap.
        const spoiled = Buffer.from(bomb);
        for (let i = spoiled.length - 8; i < spoiled.length; i++) spoiled[i] = spoiled[i]! ^ 0xff;
        assert.throws(() => decoderFor(coding, MB).decode(spoiled), isCapError);
        assert.throws(() => decoderFor(coding, MB).decode(bomb), isCapError);
      });

      test(`${coding}: streaming yields no more than the cap, then fails`, async () => {
        const decoder = decoderFor(coding, MB);
        let yielded = 0;
        async function* source(): AsyncGenerator<Uint8Array> {
          yield* split(bomb, 64);
        }
        await assert.rejects(async () => {
          for await (const chunk of decoder.stream(source())) yielded += chunk.length;
        }, isCapError);
        assert.ok(yielded <= MB, `yielded ${yielded} bytes`);
      });
    }

    test("zstd with a declared content size over the cap fails on the frame header", async () => {
      const sized = fixture("zeros-10m-sized.zst");
      const decoder = decoderFor("zstd", MB);
      // The frame header alone (magic, descriptor, window, 4-byte size) is enough to refuse it.
      await assert.rejects(decoder.push(sized.subarray(0, 10)), isCapError);
    });
  });
});

describe("stream(): errors and early exit", () => {
  test("an error of the source passes through unchanged", async () => {
    const failure = new Error("connection reset");
    for (const coding of ["gzip", "zstd"]) {
      const encoded = coding === "zstd" ? fixture("text.zst") : zlib.gzipSync(SAMPLE);
      async function* source(): AsyncGenerator<Uint8Array> {
        yield encoded.subarray(0, 100);
        throw failure;
      }
      await assert.rejects(
        async () => {
          for await (const _ of decoderFor(coding).stream(source())) {
            // drain
          }
        },
        (error) => error === failure,
      );
    }
  });

  test("stopping early closes the source", async () => {
    let closed = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        yield* split(zlib.gzipSync(SAMPLE), 500);
      } finally {
        closed = true;
      }
    }
    let seen = 0;
    for await (const chunk of decoderFor("gzip").stream(source())) {
      seen += chunk.length;
      break;
    }
    assert.ok(seen > 0);
    assert.equal(closed, true);
  });
});
