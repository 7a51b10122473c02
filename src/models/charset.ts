/**
 * Text decoding for `Response.text`: the declared charset, else a BOM, else UTF-8 when the bytes
 * are valid UTF-8, else a confident statistical guess (chardet), else nothing (`null`), as
 * Niquests does rather than producing mojibake.
 */
import chardet from "chardet";

/**
 * Minimum chardet confidence (0-100) for a guess to be used. Real text scores far above it
 * (French/German/Spanish latin-1 prose: 78-98, Russian windows-1251/KOI8-R: ~56, Shift_JIS and
 * GB2312: 100) while random or binary bytes score 0-5 for decodable single-byte charsets.
 */
const MIN_CONFIDENCE = 30;
/**
 * Maximum share of control characters / U+FFFD in a guessed decoding. Text has next to none;
 * binary decoded as a single-byte charset has about 12%. A second line of defence behind
 * {@link MIN_CONFIDENCE}.
 */
const MAX_SUSPICIOUS_RATIO = 0.03;
/** chardet reads at most this much; detection cost stays bounded on large bodies. */
const DETECT_SAMPLE_BYTES = 64 * 1024;

/** What decodeText needs of a decoder: TextDecoder, or the hand-made windows-1252 one. */
interface Decoder {
  readonly encoding: string;
  decode(bytes: Uint8Array): string;
}

/** Decoders by lower-cased label; only labels TextDecoder accepts are cached, so the map is bounded. */
const decoders = new Map<string, Decoder>();
const utf8Fatal = new TextDecoder("utf-8", { fatal: true });

/**
 * WHATWG windows-1252 (what "latin1", "iso-8859-1" and "ascii" mean on the web) for bytes
 * 0x80–0x9F; every other byte is its own code point. Node 20's ICU TextDecoder silently drops
 * these bytes (the euro sign and curly quotes vanish), so this label is decoded by hand.
 */
const WINDOWS_1252_C1 =
  "\u20ac\x81\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\x8d\u017d\x8f" +
  "\x90\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\x9d\u017e\u0178";
const C1_RANGE = /[\x80-\x9f]/g;

const windows1252: Decoder = {
  encoding: "windows-1252",
  decode(bytes) {
    const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
    return latin1.replace(C1_RANGE, (c) => WINDOWS_1252_C1[c.charCodeAt(0) - 0x80]!);
  },
};

/** A lenient decoder (`fatal: false`: invalid bytes become U+FFFD) for `label`, or null if unknown. */
function decoderFor(label: string): Decoder | null {
  const key = label.trim().toLowerCase();
  let decoder = decoders.get(key);
  if (decoder !== undefined) return decoder;
  try {
    decoder = new TextDecoder(key);
  } catch {
    return null;
  }
  if (decoder.encoding === "windows-1252") decoder = windows1252;
  decoders.set(key, decoder);
  return decoder;
}

/** The canonical WHATWG name of `label` (`"latin1"` -> `"windows-1252"`), or null if unsupported. */
export function normalizeEncoding(label: string): string | null {
  return decoderFor(label)?.encoding ?? null;
}

/** Media types whose default charset is UTF-8 (RFC 8259 for JSON). */
function isJsonType(mediaType: string): boolean {
  return mediaType === "application/json" || mediaType.endsWith("+json");
}

/**
 * The `charset` parameter of a Content-Type value (quotes removed, as given otherwise), `"utf-8"`
 * for JSON media types without one, else null. Quoted parameter values may hold `;`.
 */
export function charsetFromContentType(contentType: string | null): string | null {
  if (contentType == null) return null;
  const semi = contentType.indexOf(";");
  const mediaType = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  let pos = semi;
  while (pos !== -1) {
    const eq = contentType.indexOf("=", pos + 1);
    if (eq === -1) break;
    const nextSemi = contentType.indexOf(";", pos + 1);
    if (nextSemi !== -1 && nextSemi < eq) {
      // A parameter without a value; skip it.
      pos = nextSemi;
      continue;
    }
    const name = contentType
      .slice(pos + 1, eq)
      .trim()
      .toLowerCase();
    let value: string;
    let i = eq + 1;
    while (contentType[i] === " " || contentType[i] === "\t") i++;
    if (contentType[i] === '"') {
      value = "";
      for (i++; i < contentType.length && contentType[i] !== '"'; i++) {
        if (contentType[i] === "\\") i++;
        value += contentType[i] ?? "";
      }
      pos = contentType.indexOf(";", i);
    } else {
      pos = contentType.indexOf(";", i);
      value = contentType.slice(i, pos === -1 ? undefined : pos).trim();
      // Requests also strips single quotes some servers put around the value.
      if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) value = value.slice(1, -1);
    }
    if (name === "charset" && value !== "") return value;
  }
  return isJsonType(mediaType) ? "utf-8" : null;
}

function bomEncoding(body: Uint8Array): string | null {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return "utf-8";
  if (body[0] === 0xff && body[1] === 0xfe) return "utf-16le";
  if (body[0] === 0xfe && body[1] === 0xff) return "utf-16be";
  return null;
}

/** Valid UTF-8 decodes to text; anything else to null. */
function tryUtf8(body: Uint8Array): string | null {
  try {
    return utf8Fatal.decode(body);
  } catch {
    return null;
  }
}

function looksLikeText(text: string): boolean {
  let suspicious = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // C0 controls other than tab, newline, form feed and carriage return; DEL; C1; U+FFFD.
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0c && c !== 0x0d) || (c >= 0x7f && c <= 0x9f)) {
      suspicious++;
    } else if (c === 0xfffd) suspicious++;
  }
  return suspicious <= text.length * MAX_SUSPICIOUS_RATIO;
}

/** A confident statistical guess that also decodes to plausible text, or null. */
function guess(body: Uint8Array): { text: string; encoding: string } | null {
  const sample = body.length > DETECT_SAMPLE_BYTES ? body.subarray(0, DETECT_SAMPLE_BYTES) : body;
  for (const match of chardet.analyse(sample)) {
    if (match.confidence < MIN_CONFIDENCE) break;
    const decoder = decoderFor(match.name);
    if (decoder === null) continue;
    const text = decoder.decode(body);
    if (looksLikeText(text)) return { text, encoding: decoder.encoding };
  }
  return null;
}

/**
 * The encoding the body appears to be in, ignoring any declaration (for `apparentEncoding`):
 * a BOM, else `"utf-8"` for valid UTF-8 (ASCII and empty bodies included), else a confident
 * chardet guess, else null. Names are canonical WHATWG names (`"windows-1252"`, `"shift_jis"`).
 */
export function detectEncoding(body: Uint8Array): string | null {
  const bom = bomEncoding(body);
  if (bom !== null) return bom;
  if (tryUtf8(body) !== null) return "utf-8";
  return guess(body)?.encoding ?? null;
}

/**
 * Decodes a response body to text.
 *
 * Order: the `declared` charset (e.g. from {@link charsetFromContentType}) when TextDecoder knows
 * it, decoded leniently (invalid bytes become U+FFFD, as browsers and Requests do); else a BOM;
 * else UTF-8 when the bytes are valid UTF-8; else a chardet guess with confidence of at least 30
 * whose decoding has under 3% control characters. Otherwise `{ text: null, encoding: null }`.
 * `encoding` is the canonical name of the charset used. An empty body is `""`.
 */
export function decodeText(
  body: Uint8Array,
  declared: string | null,
): { text: string | null; encoding: string | null } {
  const decoder = declared == null ? null : decoderFor(declared);
  if (decoder !== null) return { text: decoder.decode(body), encoding: decoder.encoding };
  if (body.length === 0) return { text: "", encoding: "utf-8" };
  const bom = bomEncoding(body);
  if (bom !== null) return { text: decoderFor(bom)!.decode(body), encoding: bom };
  const utf8 = tryUtf8(body);
  if (utf8 !== null) return { text: utf8, encoding: "utf-8" };
  return guess(body) ?? { text: null, encoding: null };
}
