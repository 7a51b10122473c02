/**
 * Incremental parser for one HTTP/1.1 response head (status line + field lines + blank line), or
 * for the trailer section of a chunked body (field lines only). Lines end in CRLF; a bare LF or
 * bare CR is a protocol error. The common case (the whole head in one chunk) validates the head
 * bytes in tight loops and decodes it once with latin1, names and values being slices of that
 * string; a line split across chunks is carried as raw bytes (at most maxHeaderBytes of them) and
 * handled once complete, so a slow drip stays O(n).
 */
import type { HeaderList } from "../events.ts";
import { TCHAR } from "./char-classes.ts";
import { parseContentLength, scanConnection, scanTransferEncoding } from "./framing.ts";
import { H1ParseError } from "./h1-parse-error.ts";

/**
 * Buffer#latin1Slice skips toString's argument and encoding dispatch (a measurable share of a
 * small head). Long-standing but undocumented, hence the fallback.
 */
type Latin1Sliceable = Buffer & { latin1Slice?: (start: number, end: number) => string };
const latin1: (buf: Buffer, start: number, end: number) => string =
  typeof (Buffer.prototype as Latin1Sliceable).latin1Slice === "function"
    ? (buf, start, end) => (buf as Latin1Sliceable).latin1Slice!(start, end)
    : (buf, start, end) => buf.toString("latin1", start, end);
const CONTENT_LENGTH = Buffer.from("content-length");
const TRANSFER_ENCODING = Buffer.from("transfer-encoding");
const CONNECTION = Buffer.from("connection");

/** Case-insensitive compare of token bytes against a lowercase name (| 0x20 folds A-Z, keeps "-"). */
function lowerEquals(src: Buffer, at: number, lower: Buffer): boolean {
  for (let i = 0; i < lower.length; i++) if ((src[at + i]! | 0x20) !== lower[i]) return false;
  return true;
}

const isOws = (c: number): boolean => c === 0x20 || c === 0x09;
const CRLFCRLF = Buffer.from("\r\n\r\n", "latin1");
/** Below this many candidate bytes, decoding them all beats a native search for the head end. */
const SEARCH_THRESHOLD = 512;

export class HeadParser {
  readonly #maxBytes: number;
  readonly #maxCount: number;
  #trailers = false;
  #done = false;
  #sawStatus = false;
  /** Bytes of complete lines consumed in this head (CRLF included). */
  #bytes = 0;
  #carry: Buffer | null = null;
  #carryLen = 0;

  #status = 0;
  #reason = "";
  #version: 10 | 11 = 11;
  #headers: HeaderList = [];
  #contentLength = -1;
  #te = 0;
  #connection = 0;

  constructor(maxBytes: number, maxCount: number) {
    this.#maxBytes = maxBytes;
    this.#maxCount = maxCount;
  }

  /** Start a new head; `trailers` parses a trailer section (no status line, no framing fields). */
  reset(trailers: boolean): void {
    this.#trailers = trailers;
    this.#done = false;
    this.#sawStatus = false;
    this.#bytes = 0;
    this.#carryLen = 0;
    this.#headers = [];
    this.#contentLength = -1;
    this.#te = 0;
    this.#connection = 0;
  }

  get done(): boolean {
    return this.#done;
  }
  get status(): number {
    return this.#status;
  }
  get reason(): string {
    return this.#reason;
  }
  get version(): 10 | 11 {
    return this.#version;
  }
  get headers(): HeaderList {
    return this.#headers;
  }
  /** Content-Length value, or -1 when absent. */
  get contentLength(): number {
    return this.#contentLength;
  }
  /** TE_* bits from framing.ts. */
  get transferEncoding(): number {
    return this.#te;
  }
  /** CONN_* bits from framing.ts. */
  get connection(): number {
    return this.#connection;
  }
  /** Bytes held for a line not yet complete (never more than maxHeaderBytes). */
  get bufferedBytes(): number {
    return this.#carryLen;
  }

  /**
   * Consume head bytes of `buf` from `pos`. Returns the position after what was consumed: just
   * past the blank line when `done` turns true, otherwise some position the caller feeds from
   * again (all of `buf` once the tail is carried).
   */
  feed(buf: Buffer, pos: number): number {
    const end = buf.length;
    if (this.#carryLen > 0) {
      const lf = buf.indexOf(10, pos);
      const stop = lf === -1 ? end : lf + 1;
      this.#appendCarry(buf, pos, stop);
      if (lf === -1) return end;
      const carry = this.#carry!;
      const line = latin1(carry, 0, this.#carryLen);
      this.#carryLen = 0;
      // The carried line ends in LF, so it is complete: consumed whole, or an error was thrown.
      if (this.#scan(line, carry, 0) !== line.length) throw new H1ParseError("invalid header line");
      return stop;
    }
    if (this.#trailers && this.#bytes === 0 && buf[pos] === 13 && buf[pos + 1] === 10) {
      // The usual empty trailer section: skip decoding a string for it.
      this.#bytes = 2;
      this.#done = true;
      return pos + 2;
    }
    // Never look at more than the remaining budget (+1 to detect the overflow).
    const budget = this.#maxBytes - this.#bytes + 1;
    let stop = end - pos > budget ? pos + budget : end;
    let decodeEnd = stop;
    if (stop - pos > SEARCH_THRESHOLD) {
      // Large chunk (head + body): decode only up to the first CRLFCRLF, which bounds the head end.
      const e = buf.indexOf(CRLFCRLF, pos);
      if (e !== -1 && e + 4 <= stop) decodeEnd = stop = e + 4;
      else {
        // No head end in sight: decode the complete lines only, the partial one is carried as bytes.
        const lf = buf.lastIndexOf(10, stop - 1);
        decodeEnd = lf < pos ? pos : lf + 1;
      }
    }
    const s = latin1(buf, pos, decodeEnd);
    const used = this.#scan(s, buf, pos);
    if (this.#done) return pos + used;
    this.#appendCarry(buf, pos + used, stop);
    return stop;
  }

  #appendCarry(buf: Buffer, from: number, to: number): void {
    const n = to - from;
    const need = this.#carryLen + n;
    if (this.#bytes + need > this.#maxBytes) throw new H1ParseError("header section too large");
    let carry = this.#carry;
    if (carry === null || carry.length < need) {
      const grown = Buffer.allocUnsafe(
        Math.min(this.#maxBytes, Math.max(need, 256, (carry?.length ?? 0) * 2)),
      );
      if (carry !== null) carry.copy(grown, 0, 0, this.#carryLen);
      this.#carry = carry = grown;
    }
    buf.copy(carry, this.#carryLen, from, to);
    this.#carryLen = need;
  }

  /**
   * Process every complete line of `s`; returns the index after the last one consumed. `src`
   * holds the same bytes from `base` (s[i] is src[base + i]): the byte loops read `src`, which is
   * markedly faster than charCodeAt, and find each line end on the way (CR LF after the value);
   * the string only serves the slices. Byte errors in a line not yet complete wait for its LF,
   * so every way of splitting the input reaches the same verdict.
   */
  #scan(s: string, src: Buffer, base: number): number {
    // Only complete lines are examined: a long partial line is skipped at memchr speed, not
    // walked byte by byte on every chunk of a drip.
    const n = s.lastIndexOf("\n") + 1;
    let i = 0;
    while (i < n) {
      if (src[base + i] === 13) {
        if (i + 1 === n) return i;
        if (src[base + i + 1] !== 10) throw new H1ParseError("bare CR in header section");
        if (!this.#trailers && !this.#sawStatus) throw new H1ParseError("empty status line");
        this.#bytes += 2;
        if (this.#bytes > this.#maxBytes) throw new H1ParseError("header section too large");
        this.#done = true;
        return i + 2;
      }
      const next =
        this.#trailers || this.#sawStatus
          ? this.#field(s, src, base, i, n)
          : this.#statusLine(s, src, base, i, n);
      if (next === -1) return i;
      this.#bytes += next - i;
      if (this.#bytes > this.#maxBytes) throw new H1ParseError("header section too large");
      i = next;
    }
    return i;
  }

  /**
   * A bad byte at `at`: a protocol error once its line is complete (an LF follows before `end`);
   * until then -1, meaning "incomplete line, carry it".
   */
  #bad(src: Buffer, at: number, end: number, message: string): number {
    const lf = src.indexOf(10, at);
    if (lf !== -1 && lf < end) throw new H1ParseError(message);
    return -1;
  }

  /** After the CTL at `p` ending a line: index after its CRLF (relative to `base`), or -1 if incomplete. */
  #lineEnd(src: Buffer, base: number, p: number, end: number): number {
    if (src[p] !== 13) {
      return this.#bad(src, p, end, src[p] === 10 ? "bare LF line ending" : "invalid control character");
    }
    if (p + 1 === end) return -1;
    if (src[p + 1] !== 10) return this.#bad(src, p, end, "bare CR in header section");
    return p + 2 - base;
  }

  /** status-line = HTTP-version SP 3DIGIT SP [ reason-phrase ]; the SP before an empty reason may be absent. */
  #statusLine(s: string, src: Buffer, base: number, start: number, n: number): number {
    const at = base + start;
    const end = base + n;
    let p = at;
    for (; p < end; p++) {
      const c = src[p]!;
      if ((c < 0x20 && c !== 0x09) || c === 0x7f) break;
    }
    if (p === end) return -1;
    const next = this.#lineEnd(src, base, p, end);
    if (next === -1) return -1;
    this.#sawStatus = true;
    const len = p - at;
    if (len < 12 || !s.startsWith("HTTP/1.", start) || src[at + 8] !== 0x20) {
      throw new H1ParseError("invalid status line");
    }
    const minor = src[at + 7];
    if (minor === 0x31) this.#version = 11;
    else if (minor === 0x30) this.#version = 10;
    else throw new H1ParseError("unsupported HTTP version");
    const d1 = src[at + 9]! - 0x30;
    const d2 = src[at + 10]! - 0x30;
    const d3 = src[at + 11]! - 0x30;
    if (d1 < 1 || d1 > 9 || d2 < 0 || d2 > 9 || d3 < 0 || d3 > 9)
      throw new H1ParseError("invalid status code");
    this.#status = d1 * 100 + d2 * 10 + d3;
    if (len === 12) this.#reason = "";
    else if (src[at + 12] !== 0x20) throw new H1ParseError("invalid status code");
    else this.#reason = s.slice(start + 13, p - base);
    return next;
  }

  /** field-line = field-name ":" OWS field-value OWS. No obs-fold, no whitespace before the colon. */
  #field(s: string, src: Buffer, base: number, start: number, n: number): number {
    const first = base + start;
    const end = base + n;
    let p = first;
    for (;;) {
      if (p === end) return -1;
      const c = src[p]!;
      if (c === 0x3a) break;
      if (TCHAR[c] === 0) {
        return this.#bad(
          src,
          p,
          end,
          p === first && isOws(c) ? "obs-fold is not allowed" : "invalid header name",
        );
      }
      p++;
    }
    if (p === first) return this.#bad(src, p, end, "empty header name");
    const colon = p;
    // Value bytes: anything but CTLs other than HTAB, and DEL. The first other CTL ends the line.
    for (p++; p < end; p++) {
      const c = src[p]!;
      if ((c < 0x20 && c !== 0x09) || c === 0x7f) break;
    }
    if (p === end) return -1;
    const next = this.#lineEnd(src, base, p, end);
    if (next === -1) return -1;
    let vs = colon + 1;
    while (vs < p && isOws(src[vs]!)) vs++;
    let ve = p;
    while (ve > vs && isOws(src[ve - 1]!)) ve--;
    if (this.#headers.length >= this.#maxCount) throw new H1ParseError("too many header fields");
    const name = s.slice(start, colon - base);
    const value = s.slice(vs - base, ve - base);
    this.#headers.push([name, value]);
    const len = colon - first;
    if (!this.#trailers && (len === 14 || len === 17 || len === 10))
      this.#framingField(src, first, len, value);
    return next;
  }

  #framingField(src: Buffer, at: number, len: number, value: string): void {
    if (len === 14 && lowerEquals(src, at, CONTENT_LENGTH)) {
      this.#contentLength = parseContentLength(value, this.#contentLength);
    } else if (len === 17 && lowerEquals(src, at, TRANSFER_ENCODING)) {
      this.#te = scanTransferEncoding(value, this.#te);
    } else if (len === 10 && lowerEquals(src, at, CONNECTION)) {
      this.#connection |= scanConnection(value);
    }
  }
}
