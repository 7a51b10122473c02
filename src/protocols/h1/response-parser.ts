/**
 * Strict HTTP/1.1 response parser (RFC 9112): bytes in, events out, no I/O, no timers.
 *
 * Decisions where the RFC leaves a choice (each is covered by a conformance case):
 * - Line endings must be CRLF. A bare LF (or a bare CR) anywhere in the head, a chunk-size line
 *   or the trailers is a protocol error: lenient line splitting is a classic desync vector.
 * - Only `HTTP/1.0` and `HTTP/1.1` status lines are accepted (`HTTP/2.0` on this wire is an error).
 * - Status codes are exactly three digits, 100-999.
 * - Repeated Content-Length with identical values (as fields or as a list "5, 5") is accepted;
 *   differing values, signs, non-digits or values above 2^53-1 are errors.
 * - Content-Length together with Transfer-Encoding is an error, whatever the status or method.
 * - Transfer-Encoding whose final coding is `chunked` → chunked; any other final coding →
 *   close-delimited body (RFC 9112 §6.3); `chunked` applied twice → error. An HTTP/1.0
 *   response carrying Transfer-Encoding is framed the same way but never kept alive.
 * - Chunk sizes above 2^53-1 are errors (leading zeros are fine); chunk extensions are ignored
 *   but the size line is capped at 4 KiB.
 * - Trailers obey the head limits, are emitted as one "trailers" event when non-empty, and are
 *   never used for framing.
 * - maxHeaderBytes caps each head (status line + fields + blank line) and each trailer section,
 *   counted across chunks; maxHeaderCount caps the field lines of each. Buffered head bytes
 *   never exceed maxHeaderBytes (see bufferedBytes).
 * - keepAlive: HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`;
 *   never for close-delimited bodies or upgrades.
 *
 * Data events carry views into the fed chunk: use or copy them before feeding the next chunk.
 * After "end", unconsumed bytes (a pipelined response, or the tunnel/upgrade stream) are copied
 * aside; bytes fed while idle are appended to them. Take them with takeRemaining() — after
 * expect(), feed them first: feeding new bytes while some are pending is a usage error.
 * An exception thrown by the event handler propagates out of feed() and kills the parser.
 */
import type { MessageComplete, ProtocolEvent } from "../events.ts";
import { ChunkedDecoder } from "./chunked-decoder.ts";
import { CONN_CLOSE, CONN_KEEP_ALIVE, TE_CHUNKED_LAST } from "./framing.ts";
import { H1ParseError } from "./h1-parse-error.ts";
import { HeadParser } from "./head-parser.ts";

export interface H1ParserOptions {
  /** Largest response head or trailer section in bytes (default 80 KiB). */
  maxHeaderBytes?: number;
  /** Most field lines in one head or trailer section (default 1000). */
  maxHeaderCount?: number;
}

const IDLE = 0;
const HEAD = 1;
const FIXED = 2;
const CLOSE = 3;
const CHUNKED = 4;
const TRAILERS = 5;
const DEAD = 6;

const EMPTY: Buffer = Buffer.alloc(0);
const END: MessageComplete = Object.freeze({ type: "end" });

function positiveInt(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

export class H1ResponseParser {
  readonly #onEvent: (event: ProtocolEvent) => void;
  readonly #head: HeadParser;
  readonly #chunked: ChunkedDecoder;
  #state = IDLE;
  #headRequest = false;
  #connectRequest = false;
  /** Body bytes still due in FIXED state. */
  #left = 0;
  #pending: Buffer = EMPTY;
  #feeding = false;

  /** @param onEvent receives "informational", "headers", "data", "trailers" and "end", synchronously. */
  constructor(onEvent: (event: ProtocolEvent) => void, options: H1ParserOptions = {}) {
    this.#onEvent = onEvent;
    this.#head = new HeadParser(
      positiveInt(options.maxHeaderBytes, 80 * 1024, "maxHeaderBytes"),
      positiveInt(options.maxHeaderCount, 1000, "maxHeaderCount"),
    );
    this.#chunked = new ChunkedDecoder((data) => onEvent({ type: "data", data }));
  }

  /** True between expect() and "end". */
  get busy(): boolean {
    return this.#state !== IDLE && this.#state !== DEAD;
  }

  /** Bytes held for an incomplete head/trailer line (for tests: bounded by maxHeaderBytes). */
  get bufferedBytes(): number {
    return this.#state === HEAD || this.#state === TRAILERS ? this.#head.bufferedBytes : 0;
  }

  /**
   * Arm the parser for the response to a request with this method (HEAD and CONNECT change
   * framing). Must be called before feeding each response.
   */
  expect(method: string): void {
    if (this.#state === DEAD) throw new Error("H1ResponseParser failed earlier and cannot be reused");
    if (this.#state !== IDLE) throw new Error("H1ResponseParser is still parsing a response");
    this.#headRequest = method === "HEAD";
    this.#connectRequest = method === "CONNECT";
    this.#head.reset(false);
    this.#state = HEAD;
  }

  /**
   * Feed bytes; events are emitted synchronously. Throws H1ParseError on a protocol violation,
   * after which the parser is dead. Once "end" is emitted the rest of the chunk is kept for
   * takeRemaining().
   */
  feed(chunk: Uint8Array): void {
    if (this.#state === DEAD) throw new H1ParseError("parser failed earlier");
    if (this.#feeding) throw new Error("H1ResponseParser.feed() called from its own event handler");
    if (chunk.length === 0) return;
    const buf = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.#state === IDLE) {
      this.#pending = this.#pending.length === 0 ? Buffer.from(buf) : Buffer.concat([this.#pending, buf]);
      return;
    }
    if (this.#pending.length !== 0) throw new Error("feed the bytes from takeRemaining() first");
    this.#feeding = true;
    try {
      const end = buf.length;
      let pos = 0;
      while (pos < end) {
        switch (this.#state) {
          case HEAD:
            pos = this.#head.feed(buf, pos);
            if (this.#head.done) pos = this.#onHead(buf, pos);
            break;
          case FIXED: {
            const avail = end - pos;
            const take = Math.min(this.#left, avail);
            this.#left -= take;
            this.#onEvent({ type: "data", data: take === end ? buf : buf.subarray(pos, pos + take) });
            pos += take;
            if (this.#left === 0) pos = this.#end(buf, pos);
            break;
          }
          case CLOSE:
            this.#onEvent({ type: "data", data: pos === 0 ? buf : buf.subarray(pos) });
            pos = end;
            break;
          case CHUNKED:
            pos = this.#chunked.feed(buf, pos);
            if (this.#chunked.atTrailers) {
              this.#head.reset(true);
              this.#state = TRAILERS;
            }
            break;
          default: // TRAILERS
            pos = this.#head.feed(buf, pos);
            if (this.#head.done) {
              const fields = this.#head.headers;
              if (fields.length !== 0) this.#onEvent({ type: "trailers", headers: fields });
              pos = this.#end(buf, pos);
            }
        }
        if (pos < 0) return; // "end" was emitted; the handler may already have re-armed us
      }
    } catch (error) {
      this.#state = DEAD;
      throw error;
    } finally {
      this.#feeding = false;
    }
  }

  /**
   * The peer closed the connection (EOF). Emits "end" for a close-delimited body; throws
   * H1ParseError{incomplete:true} if a message was in progress otherwise. No-op when idle.
   */
  finish(): void {
    const state = this.#state;
    if (state === IDLE || state === DEAD) return;
    if (state === CLOSE) {
      this.#state = IDLE;
      this.#onEvent(END);
      return;
    }
    this.#state = DEAD;
    throw new H1ParseError(
      state === HEAD ? "connection closed before a complete response head" : "connection closed mid-body",
      true,
    );
  }

  /** Bytes received after the end of the current message (copied out), and clears them. */
  takeRemaining(): Uint8Array {
    const pending = this.#pending;
    this.#pending = EMPTY;
    return pending;
  }

  /** A head is complete at `pos`: emit it and pick the body framing (RFC 9112 §6.3). */
  #onHead(buf: Buffer, pos: number): number {
    const head = this.#head;
    const status = head.status;
    if (status < 200 && status !== 101) {
      this.#onEvent({ type: "informational", status, reason: head.reason, headers: head.headers });
      head.reset(false);
      return pos;
    }
    const te = head.transferEncoding;
    const cl = head.contentLength;
    if (te !== 0 && cl !== -1) throw new H1ParseError("both Content-Length and Transfer-Encoding");
    const conn = head.connection;
    const http11 = head.version === 11;
    let keepAlive = http11 ? (conn & CONN_CLOSE) === 0 : conn === CONN_KEEP_ALIVE;
    if (!http11 && te !== 0) keepAlive = false;
    const upgrade = status === 101 || (this.#connectRequest && status < 300);
    let next = IDLE;
    let contentLength: number | null = null;
    if (upgrade) keepAlive = false;
    else if (this.#headRequest || status === 204 || status === 304) next = IDLE;
    else if (te !== 0) next = te & TE_CHUNKED_LAST ? CHUNKED : CLOSE;
    else if (cl !== -1) {
      contentLength = cl;
      if (cl > 0) next = FIXED;
    } else next = CLOSE;
    if (next === CLOSE) keepAlive = false;
    this.#onEvent({
      type: "headers",
      status,
      reason: head.reason,
      httpVersion: head.version,
      headers: head.headers,
      keepAlive,
      closeDelimited: next === CLOSE,
      upgrade,
      contentLength,
    });
    if (next === IDLE) return this.#end(buf, pos);
    this.#state = next;
    if (next === FIXED) this.#left = contentLength!;
    else if (next === CHUNKED) this.#chunked.reset();
    return pos;
  }

  /** Message complete: keep the unconsumed bytes, go idle, then emit "end". Returns -1. */
  #end(buf: Buffer, pos: number): number {
    this.#state = IDLE;
    this.#pending = pos < buf.length ? Buffer.from(buf.subarray(pos)) : EMPTY;
    this.#feeding = false;
    this.#onEvent(END);
    return -1;
  }
}
