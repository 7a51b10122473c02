/**
 * A streamed multipart/form-data body (RFC 7578). Part heads are built up front; part contents
 * are pulled lazily when the body is opened, so a large Blob or stream is never buffered.
 *
 * Names and filenames follow the WHATWG HTML multipart/form-data encoding algorithm: in the
 * `name`, lone CR and lone LF are first normalised to CRLF; then in both `name` and `filename`
 * LF becomes `%0A`, CR `%0D` and `"` `%22`; other characters go out as UTF-8. Field values are
 * sent byte for byte (no newline normalisation), as Requests/urllib3 do.
 */
import { UnrewindableBodyError } from "../errors/errors.ts";
import type { StreamBody } from "../transport/transport.ts";
import {
  isBlob,
  isStreamBody,
  isStreamSource,
  type StreamSource,
  streamBodyFrom,
  toBytes,
} from "./stream-body.ts";
import { validateHeaderName, validateHeaderValue } from "./validate-headers.ts";

/** What a part may carry. Strings are sent as UTF-8. */
export type PartContent =
  | string
  | Uint8Array
  | ArrayBuffer
  | ArrayBufferView
  | Blob
  | StreamBody
  | StreamSource;

/** Extra headers of one part: a record or `[name, value]` pairs (Headers works too). */
export type PartHeaders = Record<string, string> | Iterable<readonly [string, string]>;

export interface MultipartPart {
  /** The form field name. */
  name: string;
  content: PartContent;
  /** Sent as the `filename` parameter; null/undefined sends none (a plain field). */
  filename?: string | null;
  /**
   * The part's Content-Type. Undefined picks one: a Blob's own `type`, else
   * `application/octet-stream` for file parts (those with a filename), else none.
   * Null sends no Content-Type.
   */
  contentType?: string | null;
  /** Extra part headers. A Content-Disposition or Content-Type here replaces the generated one. */
  headers?: PartHeaders | null;
}

export interface MultipartBodyOptions {
  /** Use this boundary (RFC 2046 syntax, 1–70 chars) instead of a random one. */
  boundary?: string | null;
}

const utf8 = new TextEncoder();

/** Byte contents up to this size are copied into the surrounding head/tail chunk. */
const COALESCE_LIMIT = 16 * 1024;

/** A fresh random boundary: 32 lowercase hex characters from the platform CSPRNG. */
export function generateBoundary(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

const BCHARS_NOSPACE = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) BCHARS_NOSPACE[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) BCHARS_NOSPACE[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) BCHARS_NOSPACE[c] = 1;
for (const ch of "'()+_,-./:=?") BCHARS_NOSPACE[ch.charCodeAt(0)] = 1;

/** True when `boundary` matches RFC 2046: 1–70 `bchars`, not ending in a space. */
export function isValidBoundary(boundary: string): boolean {
  const len = boundary.length;
  if (len < 1 || len > 70) return false;
  for (let i = 0; i < len; i++) {
    const c = boundary.charCodeAt(i);
    if (c === 0x20 && i < len - 1) continue;
    if (c > 0x7f || BCHARS_NOSPACE[c] !== 1) return false;
  }
  return true;
}

/** Boundary chars that are not token chars need the parameter quoted in Content-Type. */
function boundaryParam(boundary: string): string {
  for (let i = 0; i < boundary.length; i++) {
    const c = boundary.charCodeAt(i);
    // ( ) , / : = ? and space are bchars but not tchars.
    if (
      c === 0x20 ||
      c === 0x28 ||
      c === 0x29 ||
      c === 0x2c ||
      c === 0x2f ||
      c === 0x3a ||
      c === 0x3d ||
      c === 0x3f
    ) {
      return `"${boundary}"`;
    }
  }
  return boundary;
}

/** Escapes a Content-Disposition parameter; `normalize` turns lone CR/LF into CRLF first. */
function escapeParam(value: string, normalize: boolean): string {
  let out = "";
  const len = value.length;
  for (let i = 0; i < len; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x22) out += "%22";
    else if (c === 0x0d) out += normalize && value.charCodeAt(i + 1) !== 0x0a ? "%0D%0A" : "%0D";
    else if (c === 0x0a) out += normalize && value.charCodeAt(i - 1) !== 0x0d ? "%0D%0A" : "%0A";
    else out += value[i];
  }
  return out;
}

function headerPairs(headers: PartHeaders): Array<readonly [string, string]> {
  const iterable = headers as Iterable<readonly [string, string]>;
  if (typeof iterable[Symbol.iterator] === "function") return [...iterable];
  return Object.entries(headers as Record<string, string>);
}

type Segment = Uint8Array | StreamBody;

function toSegment(content: PartContent): Segment {
  if (typeof content === "string") return utf8.encode(content);
  if (content instanceof Uint8Array || content instanceof ArrayBuffer || ArrayBuffer.isView(content)) {
    return toBytes(content);
  }
  if (isStreamBody(content)) return content;
  if (isStreamSource(content)) return streamBodyFrom(content);
  throw new TypeError(`Unsupported multipart part content: ${content === null ? "null" : typeof content}`);
}

function partHead(part: MultipartPart, boundary: string, first: boolean): string {
  let disposition: string | null = null;
  let contentType: string | null = null;
  // A header the caller supplied keeps the caller's spelling of its name.
  let dispositionName = "Content-Disposition";
  let typeName = "Content-Type";
  let extra = "";
  for (const [name, value] of part.headers ? headerPairs(part.headers) : []) {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    const lower = name.toLowerCase();
    if (lower === "content-disposition") {
      disposition = value;
      dispositionName = name;
    } else if (lower === "content-type") {
      contentType = value;
      typeName = name;
    } else extra += name + ": " + value + "\r\n";
  }
  if (disposition === null) {
    disposition = `form-data; name="${escapeParam(String(part.name), true)}"`;
    if (part.filename !== null && part.filename !== undefined) {
      disposition += `; filename="${escapeParam(String(part.filename), false)}"`;
    }
  }
  if (part.contentType !== undefined) {
    contentType = part.contentType;
    typeName = "Content-Type";
    if (contentType !== null) validateHeaderValue("Content-Type", contentType);
  } else if (contentType === null) {
    if (isBlob(part.content) && part.content.type !== "") contentType = part.content.type;
    else if (part.filename !== null && part.filename !== undefined) contentType = "application/octet-stream";
  }
  let head = (first ? "" : "\r\n") + "--" + boundary + "\r\n" + dispositionName + ": " + disposition + "\r\n";
  if (contentType !== null) head += typeName + ": " + contentType + "\r\n";
  return head + extra + "\r\n";
}

/**
 * multipart/form-data as a {@link StreamBody}. `length` is exact when every part's size is known
 * (strings, bytes, Blobs, sized stream bodies), else null (sent chunked). `rewindable` holds only
 * when every part can be replayed; a one-shot body throws {@link UnrewindableBodyError} when
 * opened a second time.
 */
export class MultipartBody implements StreamBody {
  /** The boundary between parts (without the leading `--`). */
  readonly boundary: string;
  /** The Content-Type header value to send with this body. */
  readonly contentType: string;
  readonly length: number | null;
  readonly rewindable: boolean;
  #segments: Segment[];
  #opened = false;

  constructor(parts: Iterable<MultipartPart>, options: MultipartBodyOptions = {}) {
    const boundary = options.boundary ?? generateBoundary();
    if (!isValidBoundary(boundary)) {
      throw new TypeError(`Invalid multipart boundary ${JSON.stringify(boundary)} (RFC 2046: 1-70 bchars)`);
    }
    this.boundary = boundary;
    this.contentType = "multipart/form-data; boundary=" + boundaryParam(boundary);

    const segments: Segment[] = [];
    let text = ""; // pending head/tail text plus small contents, flushed as one chunk
    let small: Uint8Array[] = [];
    const flush = () => {
      if (text.length > 0) small.push(utf8.encode(text));
      text = "";
      if (small.length === 1) segments.push(small[0]!);
      else if (small.length > 1) segments.push(concat(small));
      small = [];
    };
    let first = true;
    for (const part of parts) {
      text += partHead(part, boundary, first);
      first = false;
      const content = part.content;
      if (typeof content === "string" && content.length <= COALESCE_LIMIT) {
        text += content;
        continue;
      }
      const segment = toSegment(content);
      if (segment instanceof Uint8Array && segment.byteLength <= COALESCE_LIMIT) {
        small.push(utf8.encode(text), segment);
        text = "";
        continue;
      }
      flush();
      if (!(segment instanceof Uint8Array) || segment.byteLength > 0) segments.push(segment);
    }
    text += (first ? "" : "\r\n") + "--" + boundary + "--\r\n";
    flush();

    let length: number | null = 0;
    let rewindable = true;
    for (const s of segments) {
      if (s instanceof Uint8Array) {
        if (length !== null) length += s.byteLength;
      } else {
        length = s.length === null || length === null ? null : length + s.length;
        rewindable &&= s.rewindable;
      }
    }
    this.length = length;
    this.rewindable = rewindable;
    this.#segments = segments;
  }

  open(): AsyncIterable<Uint8Array> {
    if (this.#opened && !this.rewindable) {
      throw new UnrewindableBodyError("The multipart body holds a one-shot stream and was already sent");
    }
    this.#opened = true;
    return this.#produce();
  }

  async *#produce(): AsyncGenerator<Uint8Array, void, undefined> {
    for (const segment of this.#segments) {
      if (segment instanceof Uint8Array) yield segment;
      else yield* segment.open();
    }
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const c of chunks) total += c.byteLength;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
