/**
 * The body side of a Response: reads the transport's pull stream once, decoding Content-Encoding
 * on the way, either all at once (`load()`) or chunk by chunk (`iterContent`). Once streamed,
 * the bytes are gone: reading again throws StreamConsumedError, as in Requests.
 */
import { StreamConsumedError } from "../errors/errors.ts";
import type { ResponseBodyStream } from "../transport/transport.ts";
import { type ContentDecoder, createContentDecoder } from "./content-decoder.ts";

const EMPTY = new Uint8Array(0);
/** Compressed bodies up to this size are decoded in one synchronous call once complete. */
const SYNC_DECODE_LIMIT = 1024 * 1024;

export class ResponseBody {
  readonly #raw: ResponseBodyStream | null;
  readonly #encoding: string | null;
  readonly #maxDecoded: number | null;
  #content: Uint8Array | null = null;
  #loading: Promise<Uint8Array> | null = null;
  #consumed = false;

  constructor(
    raw: ResponseBodyStream | Uint8Array | null,
    contentEncoding: string | null,
    maxDecoded: number | null,
  ) {
    if (raw instanceof Uint8Array || raw === null) {
      this.#raw = null;
      this.#content = raw ?? EMPTY;
    } else {
      this.#raw = raw;
    }
    this.#encoding = contentEncoding;
    this.#maxDecoded = maxDecoded;
  }

  get raw(): ResponseBodyStream | null {
    return this.#raw;
  }

  /** The decoded bytes once loaded, else null. */
  get loaded(): Uint8Array | null {
    return this.#content;
  }

  get consumed(): boolean {
    return this.#consumed;
  }

  /** Reads and decodes the whole body (once; later calls share the result). */
  load(): Promise<Uint8Array> {
    if (this.#content !== null) return Promise.resolve(this.#content);
    if (this.#consumed)
      return Promise.reject(new StreamConsumedError("The response body was already streamed"));
    if (this.#loading === null) {
      // One promise for the whole body instead of a read loop (two awaited reads for a tiny one).
      const collect = this.#raw!.collect?.(this.#encoding === null ? Infinity : SYNC_DECODE_LIMIT);
      this.#loading = collect ? this.#loadCollected(collect) : this.#readAll();
    }
    return this.#loading;
  }

  /** The whole body from collect(), or the read loop once it grew past the one-call decode limit. */
  #loadCollected(collect: Promise<Uint8Array[] | null>): Promise<Uint8Array> {
    return collect.then(
      (chunks) => {
        if (chunks === null) return this.#readAll();
        let total = 0;
        for (const chunk of chunks) total += chunk.byteLength;
        const body = concat(chunks, total);
        const decoder = this.#decoder();
        try {
          this.#content = decoder ? decoder.decode(body) : body;
        } catch (error) {
          decoder?.destroy();
          this.#loading = null;
          this.#consumed = true;
          throw error;
        }
        return this.#content;
      },
      (error: unknown) => {
        this.#raw!.cancel();
        this.#loading = null;
        this.#consumed = true;
        throw error;
      },
    );
  }

  async #readAll(): Promise<Uint8Array> {
    const raw = this.#raw!;
    const decoder = this.#decoder();
    let chunks: Uint8Array[] = [];
    let total = 0;
    let streaming = false;
    const add = (pieces: Uint8Array[]): void => {
      for (const piece of pieces) {
        chunks.push(piece);
        total += piece.byteLength;
      }
    };
    try {
      for (let chunk = await raw.read(); chunk !== null; chunk = await raw.read()) {
        if (!decoder || (!streaming && total + chunk.byteLength <= SYNC_DECODE_LIMIT)) {
          chunks.push(chunk);
          total += chunk.byteLength;
          continue;
        }
        if (!streaming) {
          // Past the limit the body decodes as it arrives rather than in one blocking call.
          streaming = true;
          const buffered = concat(chunks, total);
          chunks = [];
          total = 0;
          add(await decoder.push(buffered));
        }
        add(await decoder.push(chunk));
      }
      if (decoder && streaming) add(await decoder.end());
      else if (decoder) {
        this.#content = decoder.decode(concat(chunks, total));
        return this.#content;
      }
    } catch (error) {
      decoder?.destroy();
      raw.cancel();
      this.#loading = null;
      this.#consumed = true;
      throw error;
    }
    this.#content = concat(chunks, total);
    return this.#content;
  }

  /** Decoded chunks as they arrive, re-cut to `chunkSize` bytes when given. */
  async *decoded(chunkSize: number | null): AsyncGenerator<Uint8Array> {
    if (this.#content !== null) {
      yield* slices(this.#content, chunkSize);
      return;
    }
    const decoder = this.#decoder();
    const source = this.#take();
    const stream = decoder ? decodeStream(source, decoder) : source;
    yield* rechunk(stream, chunkSize);
  }

  /** Raw (still encoded) chunks from the wire. */
  async *rawChunks(chunkSize: number | null): AsyncGenerator<Uint8Array> {
    if (this.#content !== null && this.#raw === null) {
      yield* slices(this.#content, chunkSize);
      return;
    }
    yield* rechunk(this.#take(), chunkSize);
  }

  /** Stops reading; an unread body costs its connection. */
  close(): void {
    if (this.#raw && !this.#raw.complete) this.#raw.cancel();
  }

  #take(): AsyncIterable<Uint8Array> {
    if (this.#consumed || this.#loading)
      throw new StreamConsumedError("The response body was already consumed");
    this.#consumed = true;
    return this.#raw!;
  }

  #decoder(): ContentDecoder | null {
    return createContentDecoder(this.#encoding, { maxDecodedBytes: this.#maxDecoded });
  }
}

async function* decodeStream(
  source: AsyncIterable<Uint8Array>,
  decoder: ContentDecoder,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) yield* await decoder.push(chunk);
  yield* await decoder.end();
}

function* slices(content: Uint8Array, size: number | null): Generator<Uint8Array> {
  if (size === null || content.byteLength <= size) {
    if (content.byteLength > 0) yield content;
    return;
  }
  for (let i = 0; i < content.byteLength; i += size) yield content.subarray(i, i + size);
}

async function* rechunk(source: AsyncIterable<Uint8Array>, size: number | null): AsyncGenerator<Uint8Array> {
  if (size === null) {
    for await (const chunk of source) if (chunk.byteLength > 0) yield chunk;
    return;
  }
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  for await (const chunk of source) {
    pending.push(chunk);
    pendingBytes += chunk.byteLength;
    if (pendingBytes < size) continue;
    const joined = concat(pending, pendingBytes);
    let offset = 0;
    for (; offset + size <= joined.byteLength; offset += size) yield joined.subarray(offset, offset + size);
    const rest = joined.subarray(offset);
    pending = rest.byteLength > 0 ? [rest] : [];
    pendingBytes = rest.byteLength;
  }
  if (pendingBytes > 0) yield concat(pending, pendingBytes);
}

export function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  if (chunks.length === 0) return EMPTY;
  const out = Buffer.allocUnsafe(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
