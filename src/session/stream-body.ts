/**
 * Adapters from user-provided byte sources (Blob, WHATWG ReadableStream, Node Readable, sync or
 * async iterables) to the transport's {@link StreamBody}. Bytes are pulled only when the body is
 * opened and iterated; nothing is buffered. No `node:` imports: the browser build shares this.
 */
import { UnrewindableBodyError } from "../errors/errors.ts";
import type { StreamBody } from "../transport/transport.ts";

/** A chunk a user source may yield: bytes, or text sent as UTF-8. */
export type BodyChunk = Uint8Array | ArrayBuffer | ArrayBufferView | string;

/** Sources {@link streamBodyFrom} accepts. A Node `Readable` is an `AsyncIterable`. */
export type StreamSource = Blob | ReadableStream<BodyChunk> | AsyncIterable<BodyChunk> | Iterable<BodyChunk>;

export interface StreamBodyOptions {
  /** The byte length when the caller knows it (sent as Content-Length); default unknown. */
  length?: number | null;
}

/**
 * Largest chunk yielded for a Blob: Node hands out an in-memory Blob part as one chunk however
 * big it is, so it is sliced (zero-copy views) to keep writes and progress events granular.
 */
export const BLOB_CHUNK_SIZE = 64 * 1024;

const utf8 = new TextEncoder();

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value !== "object") return typeof value;
  return (value as object).constructor?.name ?? "object";
}

/**
 * Converts one chunk to bytes: strings as UTF-8, buffers and views without copying.
 * @throws TypeError for anything else (numbers, plain objects from object-mode streams …).
 */
export function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === "string") return utf8.encode(chunk);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError(`Request body chunks must be Uint8Array or string, got ${describe(chunk)}`);
}

function tagOf(value: object): string {
  return Object.prototype.toString.call(value);
}

/** True for a Blob or File, from any realm. */
export function isBlob(value: unknown): value is Blob {
  if (typeof value !== "object" || value === null) return false;
  if (typeof Blob !== "undefined" && value instanceof Blob) return true;
  const tag = tagOf(value);
  return (tag === "[object Blob]" || tag === "[object File]") && typeof (value as Blob).stream === "function";
}

/** True for a WHATWG ReadableStream (anything with `getReader()`). */
export function isReadableStream(value: unknown): value is ReadableStream<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as ReadableStream).getReader === "function" &&
    typeof (value as ReadableStream).cancel === "function"
  );
}

/** True for an object already implementing {@link StreamBody}. */
export function isStreamBody(value: unknown): value is StreamBody {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as StreamBody).open === "function" &&
    typeof (value as StreamBody).rewindable === "boolean" &&
    "length" in value
  );
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function"
  );
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Iterable<unknown>)[Symbol.iterator] === "function"
  );
}

/** True for anything {@link streamBodyFrom} can adapt (strings excluded: they are plain bytes). */
export function isStreamSource(value: unknown): value is StreamSource {
  return isBlob(value) || isReadableStream(value) || isAsyncIterable(value) || isIterable(value);
}

async function* readStream(
  stream: ReadableStream<unknown>,
  maxChunk: number,
): AsyncGenerator<Uint8Array, void, undefined> {
  const reader = stream.getReader();
  let finished = false;
  try {
    for (;;) {
      const step = await reader.read();
      if (step.done) {
        finished = true;
        return;
      }
      const bytes = toBytes(step.value);
      if (bytes.byteLength <= maxChunk) {
        if (bytes.byteLength > 0) yield bytes;
        continue;
      }
      for (let at = 0; at < bytes.byteLength; at += maxChunk) yield bytes.subarray(at, at + maxChunk);
    }
  } finally {
    // Stopped early (consumer returned, or a bad chunk): let the source release its resources.
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

async function* readAsyncIterable(
  source: AsyncIterable<unknown>,
): AsyncGenerator<Uint8Array, void, undefined> {
  for await (const chunk of source) {
    const bytes = toBytes(chunk);
    // An empty chunk would end a chunked body early on the wire: never hand one out.
    if (bytes.byteLength > 0) yield bytes;
  }
}

async function* readIterable(source: Iterable<unknown>): AsyncGenerator<Uint8Array, void, undefined> {
  for (const chunk of source) {
    const bytes = toBytes(chunk);
    if (bytes.byteLength > 0) yield bytes;
  }
}

/** A {@link StreamBody} over a producer function; enforces the one-shot rule. */
class SourceBody implements StreamBody {
  readonly length: number | null;
  readonly rewindable: boolean;
  #produce: () => AsyncIterable<Uint8Array>;
  #opened = false;

  constructor(length: number | null, rewindable: boolean, produce: () => AsyncIterable<Uint8Array>) {
    this.length = length;
    this.rewindable = rewindable;
    this.#produce = produce;
  }

  open(): AsyncIterable<Uint8Array> {
    if (this.#opened && !this.rewindable) {
      throw new UnrewindableBodyError("The request body is a one-shot stream and was already sent");
    }
    this.#opened = true;
    return this.#produce();
  }
}

/**
 * Wraps a user byte source as a {@link StreamBody}.
 * - Blob/File: `length` is `blob.size`, rewindable (re-read from `blob.stream()`), chunks at most
 *   {@link BLOB_CHUNK_SIZE} bytes.
 * - Array of chunks: rewindable, length unknown unless given.
 * - ReadableStream, Node Readable, other (async) iterables: one-shot, length unknown unless given;
 *   a second `open()` throws {@link UnrewindableBodyError}.
 * Chunks may be Uint8Array (Buffer), ArrayBuffer, other views, or strings (UTF-8); anything else
 * makes the iteration throw a TypeError.
 */
export function streamBodyFrom(source: StreamSource, options: StreamBodyOptions = {}): StreamBody {
  const given = options.length ?? null;
  if (given !== null && (!Number.isSafeInteger(given) || given < 0)) {
    throw new TypeError(`Body length must be a non-negative integer, got ${given}`);
  }
  if (isBlob(source)) {
    return new SourceBody(source.size, true, () => readStream(source.stream(), BLOB_CHUNK_SIZE));
  }
  if (isReadableStream(source)) {
    return new SourceBody(given, false, () => readStream(source, Number.POSITIVE_INFINITY));
  }
  if (isAsyncIterable(source)) return new SourceBody(given, false, () => readAsyncIterable(source));
  if (typeof source !== "string" && isIterable(source)) {
    return new SourceBody(given, Array.isArray(source), () => readIterable(source));
  }
  throw new TypeError(`Cannot stream a request body from ${describe(source)}`);
}
