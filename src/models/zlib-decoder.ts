/**
 * Incremental decoding of one coding (gzip, deflate, br) with a node:zlib engine,
 * driven chunk by chunk: each `push` resolves once the engine has consumed the chunk and emitted
 * everything it could decode from it, so streamed output never lags behind the input.
 */
import type { Transform } from "node:stream";
import zlib from "node:zlib";
import { ContentDecodingError } from "../errors/errors.ts";
import { sizeExceeded } from "./zstd-decoder.ts";

/**
 * zstd is not here on purpose: Node's native zstd stream (22.15+) stops after the first of
 * several concatenated frames (nodejs/node#64741), so zstd always goes through zstd-decoder.ts.
 */
export type ZlibCoding = "gzip" | "deflate" | "br";

/** True when the first two bytes are a zlib header (RFC 1950); else deflate data is raw (RFC 1951). */
export function isZlibWrapped(bytes: Uint8Array): boolean {
  if (bytes.length < 2) return false;
  const first = bytes[0]!;
  return (first & 0x0f) === 8 && first >> 4 <= 7 && (first * 256 + bytes[1]!) % 31 === 0;
}

/** Engine options: the output cap (`maxOutputLength` must be >= 1; 0 is checked by the caller). */
export function engineOptions(cap: number | null): object {
  return cap === null ? {} : { maxOutputLength: Math.max(cap, 1) };
}

/** Maps an engine failure to the error we throw (the cap error stays recognisable). */
export function decodeFailed(coding: string, error: unknown, cap: number | null): ContentDecodingError {
  if (error instanceof ContentDecodingError) return error;
  if (cap !== null && (error as { code?: unknown } | null)?.code === "ERR_BUFFER_TOO_LARGE") {
    return sizeExceeded(cap);
  }
  return new ContentDecodingError(`Failed to decode ${coding} content`, { cause: error });
}

/**
 * One-shot synchronous decoding of a complete input; engine errors are thrown as they are.
 * `maxOutputLength` (>= 1) stops zlib before it allocates more than that.
 */
export function runZlibSync(coding: ZlibCoding, input: Uint8Array, options: object): Uint8Array {
  if (coding === "gzip") return zlib.gunzipSync(input, options);
  if (coding === "br") return zlib.brotliDecompressSync(input, options);
  return isZlibWrapped(input) ? zlib.inflateSync(input, options) : zlib.inflateRawSync(input, options);
}

function createEngine(coding: ZlibCoding, first: Uint8Array, cap: number | null): Transform {
  const options = engineOptions(cap);
  if (coding === "gzip") return zlib.createGunzip(options);
  if (coding === "br") return zlib.createBrotliDecompress(options);
  return isZlibWrapped(first) ? zlib.createInflate(options) : zlib.createInflateRaw(options);
}

/**
 * Bounds of the synchronous first-chunk attempt: a body that arrives whole in one chunk (most
 * small responses) decodes in one synchronous call instead of a round trip through the zlib
 * thread pool (measured on a 1 KB gzip body: ~15 us against ~180 us).
 */
const SYNC_MAX_INPUT = 64 * 1024;
const SYNC_MAX_OUTPUT = 1024 * 1024;

/** One coding undone incrementally; output is counted against `cap` as the engine emits it. */
export class ZlibDecoder {
  readonly #coding: ZlibCoding;
  readonly #cap: number | null;
  #engine: Transform | null = null;
  /** Input held back until deflate's first two bytes are known (zlib-wrapped or raw?). */
  #head: Uint8Array | null = null;
  #out: Uint8Array[] = [];
  #total = 0;
  #error: unknown = null;
  /** The compressed data is complete; later input is trailing bytes and is dropped. */
  #ended = false;

  constructor(coding: ZlibCoding, cap: number | null) {
    this.#coding = coding;
    this.#cap = cap;
  }

  async push(chunk: Uint8Array): Promise<Uint8Array[]> {
    if (chunk.length === 0 || this.#ended) return this.#take();
    let engine = this.#engine;
    if (engine === null) {
      const head = this.#head === null ? chunk : concatPair(this.#head, chunk);
      this.#head = null;
      if (this.#coding === "deflate" && head.length < 2) {
        this.#head = head;
        return [];
      }
      if (this.#decodedWhole(head)) return this.#take();
      engine = this.#start(head);
      chunk = head;
    }
    await this.#settle(engine, (done) => engine.write(chunk, done));
    return this.#take();
  }

  /** Ends the input and returns the rest of the output; an empty input decodes to nothing. */
  async end(): Promise<Uint8Array[]> {
    let engine = this.#engine;
    if (engine === null) {
      const head = this.#head;
      // Nothing pending: an empty body (zlib would call it truncated) or one decoded whole.
      if (head === null) return this.#take();
      this.#head = null;
      engine = this.#start(head);
      engine.write(head);
    }
    if (!this.#ended) await this.#settle(engine, () => engine.end(), "end");
    return this.#take();
  }

  /**
   * Tries `input` as a complete compressed stream, synchronously. True when it was one (the
   * output is queued); false when it is only the start of one, for the engine to take over.
   */
  #decodedWhole(input: Uint8Array): boolean {
    if (input.length > SYNC_MAX_INPUT) return false;
    const cap = this.#cap;
    const remaining = cap === null ? null : cap - this.#total;
    const limit = remaining === null ? SYNC_MAX_OUTPUT : Math.min(remaining, SYNC_MAX_OUTPUT);
    let out: Uint8Array;
    try {
      out = runZlibSync(this.#coding, input, { maxOutputLength: Math.max(limit, 1) });
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      // Truncated: the rest of the stream is still to come.
      if (code === "Z_BUF_ERROR") return false;
      if (code === "ERR_BUFFER_TOO_LARGE") {
        if (cap !== null && remaining! <= SYNC_MAX_OUTPUT) throw sizeExceeded(cap);
        return false;
      }
      throw decodeFailed(this.#coding, error, cap);
    }
    if (cap !== null && out.length > remaining!) throw sizeExceeded(cap);
    this.#total += out.length;
    if (out.length > 0) this.#out.push(out);
    // gzip may go on with another member (a fresh engine is equivalent); zlib and brotli
    // ignore bytes after their end, as their engines do.
    if (this.#coding !== "gzip") this.#ended = true;
    return true;
  }

  /** Releases the engine (a body abandoned half-way). */
  destroy(): void {
    this.#engine?.destroy();
    this.#out = [];
  }

  #start(first: Uint8Array): Transform {
    const engine = createEngine(this.#coding, first, this.#cap);
    engine.on("data", (data: Uint8Array) => {
      this.#total += data.length;
      if (this.#cap !== null && this.#total > this.#cap) {
        this.#error ??= sizeExceeded(this.#cap);
        engine.destroy();
        return;
      }
      this.#out.push(data);
    });
    engine.on("error", (error: unknown) => {
      // Input after the end of the compressed data (inflate stops there): trailing bytes, dropped.
      if ((error as { code?: unknown }).code === "ERR_STREAM_PUSH_AFTER_EOF") this.#ended = true;
      else this.#error ??= error;
    });
    engine.on("end", () => {
      this.#ended = true;
    });
    this.#engine = engine;
    return engine;
  }

  /**
   * Runs `action` and waits until the engine has finished with it: the write callback fires
   * after zlib consumed the chunk and pushed its output (delivered synchronously to the flowing
   * 'data' listener); `end` waits for the readable side to end. An error destroys the engine,
   * whose 'close' also settles the wait.
   */
  #settle(engine: Transform, action: (done: () => void) => void, event?: "end"): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        engine.off("close", done);
        if (event !== undefined) engine.off(event, done);
        resolve();
      };
      engine.once("close", done);
      if (event !== undefined) engine.once(event, done);
      if (engine.destroyed) done();
      else action(done);
    }).then(() => {
      if (this.#error !== null) throw decodeFailed(this.#coding, this.#error, this.#cap);
    });
  }

  #take(): Uint8Array[] {
    const out = this.#out;
    this.#out = [];
    return out;
  }
}

function concatPair(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
