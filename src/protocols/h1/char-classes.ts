/**
 * Byte classes from RFC 9110 §5.6.2 (tchar) and §5.5 (field-vchar), as 256-entry lookup tables
 * so the hot loops index an array instead of branching on ranges. Latin1 strings have char codes
 * below 256, so the same tables serve byte and string scans.
 */

/** 1 for tchar: ALPHA / DIGIT / "!#$%&'*+-.^_`|~". */
export const TCHAR: Uint8Array = new Uint8Array(256);
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;
for (const ch of "!#$%&'*+-.^_`|~") TCHAR[ch.charCodeAt(0)] = 1;

/** Field value bytes: 0 = forbidden (CTL other than HTAB, DEL), 1 = SP / HTAB, 2 = VCHAR or obs-text. */
export const VALUE_CLASS: Uint8Array = new Uint8Array(256);
VALUE_CLASS[0x09] = 1;
VALUE_CLASS[0x20] = 1;
for (let c = 0x21; c <= 0x7e; c++) VALUE_CLASS[c] = 2;
for (let c = 0x80; c <= 0xff; c++) VALUE_CLASS[c] = 2;

/** Hex digit value, or -1. */
export const HEX_VALUE: Int8Array = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX_VALUE[0x30 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX_VALUE[0x41 + c] = 10 + c;
  HEX_VALUE[0x61 + c] = 10 + c;
}

/** True when `s` is a non-empty token (method, field name, coding name). */
export function isToken(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff || TCHAR[c] === 0) return false;
  }
  return true;
}
