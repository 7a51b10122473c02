/**
 * HTTP/1.1 request framing: the request head and chunked body pieces, as latin1 bytes. The
 * session validates headers earlier; the checks here are defence in depth against request
 * splitting, done with char-code loops (no regex per field).
 */
import type { HeaderList } from "../events.ts";
import { isToken } from "./char-classes.ts";

const CRLF: Buffer = Buffer.from("\r\n", "latin1");
const LAST_CHUNK: Buffer = Buffer.from("0\r\n\r\n", "latin1");

/** Request-target: no whitespace, controls, DEL or non-latin1 chars (they would split or corrupt the line). */
function checkTarget(target: string): void {
  if (target.length === 0) throw new TypeError("Empty request target");
  for (let i = 0; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c > 0xff)
      throw new TypeError(`Invalid character in request target: ${JSON.stringify(target)}`);
  }
}

/** Field value: CR, LF and NUL would end or corrupt the line; chars above 0xff cannot be encoded as latin1. */
function checkValue(name: string, value: string): void {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x0e ? c === 0x0d || c === 0x0a || c === 0 : c > 0xff) {
      throw new TypeError(`Invalid character in value of header ${JSON.stringify(name)}`);
    }
  }
}

function appendFields(out: string, fields: HeaderList): string {
  let s = out;
  for (const [name, value] of fields) {
    if (!isToken(name)) throw new TypeError(`Invalid header name: ${JSON.stringify(name)}`);
    checkValue(name, value);
    s += name + ": " + value + "\r\n";
  }
  return s;
}

/**
 * `"GET /path?q HTTP/1.1\r\nName: value\r\n...\r\n\r\n"` as latin1 bytes. Throws TypeError if the
 * method is not a token, the target contains whitespace/CR/LF/NUL/controls, a header name is not
 * a token, or a value contains CR, LF, NUL or a char above 0xff.
 */
export function serializeRequestHead(method: string, target: string, headers: HeaderList): Uint8Array {
  if (!isToken(method)) throw new TypeError(`Invalid HTTP method: ${JSON.stringify(method)}`);
  checkTarget(target);
  const s = appendFields(method + " " + target + " HTTP/1.1\r\n", headers) + "\r\n";
  return Buffer.from(s, "latin1");
}

/**
 * Frame one chunk of a chunked body as `[size-hex CRLF, data, CRLF]` (data not copied, ready for
 * writev). Empty input returns an empty array: a zero-size chunk would end the body early.
 * The returned CRLF piece is shared and must not be mutated.
 */
export function encodeChunk(data: Uint8Array): Uint8Array[] {
  if (data.byteLength === 0) return [];
  return [Buffer.from(data.byteLength.toString(16) + "\r\n", "latin1"), data, CRLF];
}

/** The terminating zero-length chunk, optionally with trailer fields (validated like headers). */
export function lastChunk(trailers?: HeaderList): Uint8Array {
  if (trailers === undefined || trailers.length === 0) return Buffer.from(LAST_CHUNK);
  return Buffer.from(appendFields("0\r\n", trailers) + "\r\n", "latin1");
}
