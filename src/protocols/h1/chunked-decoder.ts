/**
 * Byte-level decoder for the chunked transfer coding (RFC 9112 §7.1), up to and including the
 * last-chunk line; the trailer section that follows is parsed by HeadParser. Chunk data is handed
 * out as views of the input, never copied.
 *
 *   chunk      = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 *   chunk-size = 1*HEXDIG            (value must stay <= 2^53-1; leading zeros allowed)
 *   chunk-ext  = *( BWS ";" ... )    (ignored, but the whole size line is capped at 4 KiB)
 */
import { HEX_VALUE, VALUE_CLASS } from "./char-classes.ts";
import { H1ParseError } from "./h1-parse-error.ts";

/** Longest chunk-size line (size + extensions) accepted, so extensions cannot be a memory/time sink. */
export const MAX_CHUNK_LINE = 4096;

const SIZE = 0;
const SIZE_BWS = 1;
const EXT = 2;
const SIZE_LF = 3;
const DATA = 4;
const DATA_CR = 5;
const DATA_LF = 6;
const LAST = 7;

export class ChunkedDecoder {
  readonly #onData: (data: Buffer) => void;
  #state = SIZE;
  #size = 0;
  #digits = 0;
  #lineLen = 0;
  #left = 0;

  constructor(onData: (data: Buffer) => void) {
    this.#onData = onData;
  }

  reset(): void {
    this.#state = SIZE;
    this.#size = 0;
    this.#digits = 0;
    this.#lineLen = 0;
    this.#left = 0;
  }

  /** True once the last-chunk line ("0" CRLF) has been consumed: trailers come next. */
  get atTrailers(): boolean {
    return this.#state === LAST;
  }

  /** Consume from `pos`; returns where it stopped (end of `buf`, or just after the last-chunk line). */
  feed(buf: Buffer, pos: number): number {
    const end = buf.length;
    while (pos < end) {
      switch (this.#state) {
        case DATA: {
          const avail = end - pos;
          const take = Math.min(this.#left, avail);
          this.#left -= take;
          if (this.#left === 0) this.#state = DATA_CR;
          this.#onData(buf.subarray(pos, pos + take));
          pos += take;
          break;
        }
        case DATA_CR:
          if (buf[pos] !== 13) throw new H1ParseError("chunk data not followed by CRLF");
          pos++;
          this.#state = DATA_LF;
          break;
        case DATA_LF:
          if (buf[pos] !== 10) throw new H1ParseError("chunk data not followed by CRLF");
          pos++;
          this.#state = SIZE;
          this.#size = 0;
          this.#digits = 0;
          this.#lineLen = 0;
          break;
        case LAST:
          return pos;
        default:
          pos = this.#sizeLine(buf, pos, end);
      }
    }
    return pos;
  }

  #sizeLine(buf: Buffer, pos: number, end: number): number {
    let state = this.#state;
    let size = this.#size;
    let digits = this.#digits;
    let lineLen = this.#lineLen;
    while (pos < end) {
      const c = buf[pos++]!;
      if (++lineLen > MAX_CHUNK_LINE) throw new H1ParseError("chunk size line too long");
      if (state === SIZE) {
        const h = HEX_VALUE[c]!;
        if (h >= 0) {
          size = size * 16 + h;
          digits++;
          if (size > Number.MAX_SAFE_INTEGER) throw new H1ParseError("chunk size too large");
          continue;
        }
        if (digits === 0) throw new H1ParseError("invalid chunk size");
        if (c === 13) state = SIZE_LF;
        else if (c === 0x3b) state = EXT;
        else if (c === 0x20 || c === 0x09) state = SIZE_BWS;
        else throw new H1ParseError("invalid chunk size");
      } else if (state === SIZE_BWS) {
        if (c === 0x3b) state = EXT;
        else if (c !== 0x20 && c !== 0x09) throw new H1ParseError("invalid chunk extension");
      } else if (state === EXT) {
        if (c === 13) state = SIZE_LF;
        else if (VALUE_CLASS[c] === 0) throw new H1ParseError("invalid chunk extension");
      } else {
        if (c !== 10) throw new H1ParseError("chunk size line not ended by CRLF");
        if (size === 0) {
          this.#state = LAST;
        } else {
          this.#state = DATA;
          this.#left = size;
        }
        return pos;
      }
    }
    this.#state = state;
    this.#size = size;
    this.#digits = digits;
    this.#lineLen = lineLen;
    return pos;
  }
}
