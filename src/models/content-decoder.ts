/**
 * Content-Encoding decoding (gzip, deflate, br, zstd, stacked) with a cap on decoded size, for
 * buffered bodies (one synchronous call) and streamed ones (chunk by chunk).
 *
 * Decompression-bomb safety: output is counted as the engines produce it and decoding stops with
 * {@link ContentDecodingError} as soon as it passes `maxDecodedBytes`, so at most one engine
 * chunk (16 KiB for zlib/brotli, one zstd block of at most 128 KiB) is allocated beyond the cap.
 */
import { ContentDecodingError } from "../errors/errors.ts";
import { decodeFailed, engineOptions, runZlibSync, type ZlibCoding, ZlibDecoder } from "./zlib-decoder.ts";
import { sizeExceeded, ZstdDecoder } from "./zstd-decoder.ts";

/** The Accept-Encoding value naming exactly the codings this module decodes. */
export const SUPPORTED_ENCODINGS = "gzip, deflate, br, zstd";

export interface ContentDecoderOptions {
  /** Most bytes a body may decode to (each layer of a stacked encoding too); null: no cap. */
  maxDecodedBytes?: number | null;
}

/**
 * Decodes a body with one Content-Encoding, or several stacked. `push`/`end`/`stream` keep state
 * and serve one body; `decode` is stateless.
 */
export interface ContentDecoder {
  /** The codings removed, in the order they are undone (the last one applied first). */
  readonly codings: readonly string[];
  /**
   * Feeds the next chunk of the encoded body; resolves with the output decodable so far (all the
   * output this chunk allows, so streamed bodies do not lag). Call one at a time.
   */
  push(chunk: Uint8Array): Promise<Uint8Array[]>;
  /** Ends the body; resolves with the remaining output, or rejects when it was truncated. */
  end(): Promise<Uint8Array[]>;
  /** Frees the engines of a body abandoned before `end`. */
  destroy(): void;
  /** Decodes a complete body in one synchronous call (buffered responses). */
  decode(body: Uint8Array): Uint8Array;
  /**
   * Decodes `source` as it streams in (`push`/`end` as an async generator). Errors of `source`
   * itself (truncated transfer, timeout) pass through unchanged; stopping early frees the engines.
   */
  stream(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array, void, undefined>;
}

type Coding = ZlibCoding | "zstd";

const ALIASES: Readonly<Record<string, Coding>> = {
  gzip: "gzip",
  "x-gzip": "gzip",
  deflate: "deflate",
  br: "br",
  zstd: "zstd",
};

interface Layer {
  push(chunk: Uint8Array): Promise<Uint8Array[]> | Uint8Array[];
  end(): Promise<Uint8Array[]> | Uint8Array[];
  destroy?(): void;
}

function createLayer(coding: Coding, cap: number | null): Layer {
  return coding === "zstd" ? new ZstdDecoder(cap) : new ZlibDecoder(coding, cap);
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  let total = 0;
  for (const chunk of chunks) total += chunk.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

function decodeLayerSync(coding: Coding, input: Uint8Array, cap: number | null): Uint8Array {
  // An empty body is empty in any coding (zlib would call it truncated).
  if (input.length === 0) return input;
  if (coding === "zstd") {
    const decoder = new ZstdDecoder(cap);
    return concat([...decoder.push(input), ...decoder.end()]);
  }
  let out: Uint8Array;
  try {
    out = runZlibSync(coding, input, engineOptions(cap));
  } catch (error) {
    throw decodeFailed(coding, error, cap);
  }
  if (cap !== null && out.length > cap) throw sizeExceeded(cap);
  return out;
}

function parseCodings(contentEncoding: string): Coding[] | null {
  const decode: Coding[] = [];
  const tokens = contentEncoding.split(",");
  for (let i = tokens.length - 1; i >= 0; i--) {
    const token = tokens[i]!.trim().toLowerCase();
    if (token === "" || token === "identity") continue;
    const coding = ALIASES[token];
    // An unknown coding was applied after the ones listed before it: nothing under it can be undone.
    if (coding === undefined) break;
    decode.push(coding);
  }
  return decode.length === 0 ? null : decode;
}

function validateCap(value: number | null | undefined): number | null {
  if (value == null) return null;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`maxDecodedBytes must be a non-negative integer or null, got ${value}`);
  }
  return value;
}

class StackedDecoder implements ContentDecoder {
  readonly codings: readonly Coding[];
  readonly #cap: number | null;
  readonly #layers: Layer[];
  #failed: unknown = null;

  constructor(codings: Coding[], cap: number | null) {
    this.codings = codings;
    this.#cap = cap;
    this.#layers = codings.map((coding) => createLayer(coding, cap));
  }

  async push(chunk: Uint8Array): Promise<Uint8Array[]> {
    return this.#guard(async () => {
      let pending = [chunk];
      for (const layer of this.#layers) pending = await pushAll(layer, pending);
      return pending;
    });
  }

  async end(): Promise<Uint8Array[]> {
    return this.#guard(async () => {
      let pending: Uint8Array[] = [];
      for (const layer of this.#layers) {
        const out = await pushAll(layer, pending);
        for (const piece of await layer.end()) out.push(piece);
        pending = out;
      }
      return pending;
    });
  }

  destroy(): void {
    for (const layer of this.#layers) layer.destroy?.();
  }

  decode(body: Uint8Array): Uint8Array {
    let out = body;
    for (const coding of this.codings) out = decodeLayerSync(coding, out, this.#cap);
    return out;
  }

  async *stream(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array, void, undefined> {
    let ended = false;
    try {
      for await (const chunk of source) yield* await this.push(chunk);
      ended = true;
      yield* await this.end();
    } finally {
      if (!ended) this.destroy();
    }
  }

  /** A failed decoder stays failed: later calls reject with the same error. */
  async #guard(step: () => Promise<Uint8Array[]>): Promise<Uint8Array[]> {
    if (this.#failed !== null) throw this.#failed;
    try {
      return await step();
    } catch (error) {
      this.#failed =
        error instanceof ContentDecodingError ? error : decodeFailed("content", error, this.#cap);
      this.destroy();
      throw this.#failed;
    }
  }
}

async function pushAll(layer: Layer, chunks: readonly Uint8Array[]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const chunk of chunks) {
    for (const piece of await layer.push(chunk)) out.push(piece);
  }
  return out;
}

/**
 * A decoder for a response's Content-Encoding, or null when there is nothing to undo (no header,
 * `identity`, or a coding we do not know).
 *
 * Codings are undone in reverse order of application (`gzip, br`: brotli first). As in Requests,
 * an unknown coding is not an error: the body is left as it is from that coding down (for
 * `gzip, compress` nothing is decoded; for `compress, gzip` only gzip is). `deflate` accepts
 * zlib-wrapped and raw deflate data, told apart by the first two bytes; `x-gzip` is gzip; zstd
 * frames may use a window of at most 8 MB (RFC 9659). An empty body decodes to an empty one.
 * Corrupt or truncated data, bytes after a gzip member that are not another member, or output
 * past `maxDecodedBytes` give a {@link ContentDecodingError} (the engine's error as `cause`).
 */
export function createContentDecoder(
  contentEncoding: string | null,
  options: ContentDecoderOptions = {},
): ContentDecoder | null {
  const cap = validateCap(options.maxDecodedBytes);
  if (contentEncoding == null) return null;
  const codings = parseCodings(contentEncoding);
  return codings === null ? null : new StackedDecoder(codings, cap);
}
