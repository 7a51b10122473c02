/**
 * Header name/value checks run on every outgoing header, so they are plain char-code loops over a
 * lookup table (no regex). Rules:
 * - A name must be a non-empty RFC 9110 `token`.
 * - A value may hold HTAB, SP, visible ASCII and obs-text (0x80–0xFF, sent as latin1 bytes).
 *   CR, LF, NUL and every other control character are rejected (as Node's http and undici do),
 *   and so is anything above U+00FF, which has no single-byte form on the wire.
 * - A value may not start with SP or HTAB: a receiver would strip it silently, so Requests
 *   rejects it and so do we. Trailing whitespace is accepted, as in Requests. Empty is fine.
 */
import { InvalidHeader } from "../errors/errors.ts";

/** 1 for each ASCII code that is an RFC 9110 `tchar`. */
const TCHAR = new Uint8Array(128);
for (const ch of "!#$%&'*+-.^_`|~") TCHAR[ch.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;

/** True when `name` is a valid RFC 9110 field name (a non-empty token). */
export function isValidHeaderName(name: string): boolean {
  const len = name.length;
  if (len === 0) return false;
  for (let i = 0; i < len; i++) {
    const c = name.charCodeAt(i);
    if (c > 0x7f || TCHAR[c] !== 1) return false;
  }
  return true;
}

/**
 * Index of the first character that makes `value` unsendable, or -1 when it is valid.
 * A leading SP/HTAB reports index 0.
 */
function invalidValueIndex(value: string): number {
  const len = value.length;
  if (len === 0) return -1;
  const first = value.charCodeAt(0);
  if (first === 0x20 || first === 0x09) return 0;
  for (let i = 0; i < len; i++) {
    const c = value.charCodeAt(i);
    // Fast accept for the common visible-ASCII range, then the rarer allowed ones.
    if (c >= 0x20 && c < 0x7f) continue;
    if (c === 0x09 || (c >= 0x80 && c <= 0xff)) continue;
    return i;
  }
  return -1;
}

/** True when `value` can be sent as a header value unchanged (see module notes). */
export function isValidHeaderValue(value: string): boolean {
  return invalidValueIndex(value) === -1;
}

/**
 * Throws {@link InvalidHeader} unless `name` is an RFC 9110 token.
 * @param name a header field name as the user gave it.
 */
export function validateHeaderName(name: string): void {
  if (typeof name !== "string") {
    throw new InvalidHeader(`Header name must be a string, got ${typeof name}`);
  }
  if (!isValidHeaderName(name)) {
    throw new InvalidHeader(`Invalid header name ${JSON.stringify(name)}: it must be an RFC 9110 token`);
  }
}

/**
 * Throws {@link InvalidHeader} when `value` holds CR, LF, NUL or another control character,
 * a character above U+00FF, or leading whitespace. The message names the header and the
 * offending position but never echoes the value (it may be a credential).
 * @param name the header's name, used only in the error message.
 * @param value the header value to check.
 */
export function validateHeaderValue(name: string, value: string): void {
  if (typeof value !== "string") {
    throw new InvalidHeader(`Value of header ${JSON.stringify(name)} must be a string, got ${typeof value}`);
  }
  const at = invalidValueIndex(value);
  if (at === -1) return;
  const code = value.charCodeAt(at);
  const what =
    at === 0 && (code === 0x20 || code === 0x09)
      ? "leading whitespace"
      : `character U+${code.toString(16).toUpperCase().padStart(4, "0")} at index ${at}`;
  throw new InvalidHeader(`Invalid header value for ${JSON.stringify(name)}: ${what}`);
}
