/**
 * Interpretation of the three framing fields of RFC 9112 §6 (Content-Length, Transfer-Encoding,
 * Connection). Inputs are already-validated, trimmed field values.
 */
import { TCHAR } from "./char-classes.ts";
import { H1ParseError } from "./h1-parse-error.ts";

/** Transfer-Encoding bits accumulated over every TE field of one message. */
export const TE_PRESENT = 1;
/** The final transfer coding seen so far is `chunked`. */
export const TE_CHUNKED_LAST = 2;
const TE_CHUNKED_SEEN = 4;

/** Connection option bits. */
export const CONN_CLOSE = 1;
export const CONN_KEEP_ALIVE = 2;

const isOws = (c: number): boolean => c === 0x20 || c === 0x09;

/**
 * Parse a Content-Length value: 1*DIGIT, or a list of identical values ("5, 5", RFC 9110 §8.6).
 * `previous` is the value of an earlier Content-Length field (-1 if none): a different value is
 * an error, an identical one is accepted. Values above 2^53-1 are rejected.
 */
export function parseContentLength(value: string, previous: number): number {
  let result = previous;
  const n = value.length;
  let i = 0;
  for (;;) {
    while (i < n && isOws(value.charCodeAt(i))) i++;
    const start = i;
    let num = 0;
    while (i < n) {
      const d = value.charCodeAt(i) - 0x30;
      if (d < 0 || d > 9) break;
      num = num * 10 + d;
      if (num > Number.MAX_SAFE_INTEGER) throw new H1ParseError("Content-Length too large");
      i++;
    }
    if (i === start) throw new H1ParseError("invalid Content-Length");
    if (result !== -1 && num !== result) throw new H1ParseError("conflicting Content-Length values");
    result = num;
    while (i < n && isOws(value.charCodeAt(i))) i++;
    if (i === n) return result;
    if (value.charCodeAt(i) !== 0x2c) throw new H1ParseError("invalid Content-Length");
    i++;
  }
}

/**
 * Fold one Transfer-Encoding field into `state` (TE_* bits). Codings are tokens with optional
 * parameters; `chunked` may appear once and takes no parameters (a repeated chunked coding is
 * rejected: decoding it once would hand the caller still-framed bytes).
 */
export function scanTransferEncoding(value: string, state: number): number {
  let s = state | TE_PRESENT;
  let codings = 0;
  for (const element of value.split(",")) {
    const semi = element.indexOf(";");
    const name = (semi === -1 ? element : element.slice(0, semi)).trim();
    if (name.length === 0) {
      if (semi !== -1) throw new H1ParseError("invalid Transfer-Encoding");
      continue; // empty list elements are allowed (RFC 9110 §5.6.1)
    }
    for (let i = 0; i < name.length; i++) {
      if (TCHAR[name.charCodeAt(i)] === 0) throw new H1ParseError("invalid Transfer-Encoding");
    }
    codings++;
    if (name.length === 7 && name.toLowerCase() === "chunked") {
      if (s & TE_CHUNKED_SEEN || semi !== -1) throw new H1ParseError("invalid chunked transfer coding");
      s |= TE_CHUNKED_SEEN | TE_CHUNKED_LAST;
    } else {
      s &= ~TE_CHUNKED_LAST;
    }
  }
  if (codings === 0) throw new H1ParseError("empty Transfer-Encoding");
  return s;
}

/** Connection options (CONN_* bits) named by one Connection field value. */
export function scanConnection(value: string): number {
  const lower = value.toLowerCase();
  if (lower === "keep-alive") return CONN_KEEP_ALIVE;
  if (lower === "close") return CONN_CLOSE;
  let bits = 0;
  for (const option of lower.split(",")) {
    const o = option.trim();
    if (o === "close") bits |= CONN_CLOSE;
    else if (o === "keep-alive") bits |= CONN_KEEP_ALIVE;
  }
  return bits;
}
