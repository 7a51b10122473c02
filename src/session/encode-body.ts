/**
 * Turns the `data` / `json` / `files` request options into a {@link RequestBody} and the
 * Content-Type it implies, following Requests' `prepare_body`:
 * - `files` (with `data` fields first) → multipart/form-data;
 * - else `data` by kind: text/bytes as they are (no Content-Type), Blob (its `type`), fields
 *   (record, pairs, Map, URLSearchParams) → form-urlencoded (or multipart when the caller's
 *   Content-Type says multipart/form-data), FormData → multipart, streams/iterables → stream;
 * - else `json` → UTF-8 JSON, `application/json`.
 * Empty `data` (``""``, empty bytes, `{}`, `[]`) counts as absent, as Python's truthiness does.
 * Nothing is read here: streams and Blobs are only read when the body is opened.
 */
import type { Readable } from "node:stream";
import { InvalidHeader, InvalidJSONError } from "../errors/errors.ts";
import type { RequestBody, StreamBody } from "../transport/transport.ts";
import { encodeParams, type FieldsInput, forEachField } from "./encode-params.ts";
import { isValidBoundary, MultipartBody, type MultipartPart, type PartHeaders } from "./multipart-body.ts";
import {
  type BodyChunk,
  isBlob,
  isReadableStream,
  isStreamBody,
  type StreamSource,
  streamBodyFrom,
  toBytes,
} from "./stream-body.ts";

/** What `data` accepts (see API.md "Request options"). */
export type DataInput =
  | string
  | Uint8Array
  | ArrayBuffer
  | ArrayBufferView
  | Blob
  | FormData
  | URLSearchParams
  | FieldsInput
  | Readable
  | ReadableStream<BodyChunk>
  | AsyncIterable<BodyChunk>
  | Iterable<BodyChunk>
  | StreamBody;

/** The content of one uploaded file. */
export type FileContent =
  | string
  | Uint8Array
  | ArrayBuffer
  | ArrayBufferView
  | Blob
  | Readable
  | ReadableStream<BodyChunk>
  | AsyncIterable<BodyChunk>
  | StreamBody;

/**
 * One file: its content alone (filename taken from a File's `name`, an fs.ReadStream's `path`,
 * else the field key, as Requests does), or `[filename, content, contentType?, headers?]`
 * where a null/undefined filename sends no filename parameter and a null contentType sends none.
 */
export type FileSpec =
  | FileContent
  | readonly [
      filename: string | null | undefined,
      content: FileContent | null | undefined,
      contentType?: string | null,
      headers?: PartHeaders | null,
    ];

/** What `files` accepts: a record or `[field, FileSpec]` pairs. */
export type FilesInput =
  | Record<string, FileSpec | null | undefined>
  | ReadonlyArray<readonly [string, FileSpec | null | undefined]>;

export interface EncodeBodyInput {
  data?: DataInput | null | undefined;
  /** `undefined` means absent; `null` is sent as the JSON text `null`. */
  json?: unknown;
  files?: FilesInput | null | undefined;
  /** The Content-Type header the caller set, if any. */
  contentType?: string | null | undefined;
}

export interface EncodedBody {
  body: RequestBody | null;
  /**
   * The Content-Type the request should carry: the caller's own when given (completed with a
   * `boundary` parameter when it is multipart/form-data without one), else the type the body
   * implies, else null (send none).
   */
  contentType: string | null;
}

const utf8 = new TextEncoder();
const FORM_URLENCODED = "application/x-www-form-urlencoded";

function tagOf(value: object): string {
  return Object.prototype.toString.call(value);
}

function isURLSearchParams(value: object): value is URLSearchParams {
  return value instanceof URLSearchParams || tagOf(value) === "[object URLSearchParams]";
}

function isFormData(value: object): value is FormData {
  return (
    (typeof FormData !== "undefined" && value instanceof FormData) || tagOf(value) === "[object FormData]"
  );
}

function isBytes(value: unknown): value is Uint8Array | ArrayBuffer | ArrayBufferView {
  return value instanceof Uint8Array || value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

/** True for inputs that are a set of form fields rather than a byte source. */
function isFields(value: object): value is FieldsInput {
  if (Array.isArray(value) || value instanceof Map || isURLSearchParams(value)) return true;
  return (
    typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] !== "function" &&
    typeof (value as Partial<Iterable<unknown>>)[Symbol.iterator] !== "function" &&
    !isReadableStream(value) &&
    !isStreamBody(value) &&
    !isBlob(value)
  );
}

function isEmptyData(data: DataInput): boolean {
  if (typeof data === "string") return data.length === 0;
  if (typeof data !== "object" || data === null) return false; // rejected later as unsupported
  if (isBytes(data)) return data.byteLength === 0;
  if (Array.isArray(data)) return data.length === 0;
  if (data instanceof Map || isURLSearchParams(data)) return data.size === 0;
  if (isFormData(data)) return (data as unknown as Iterable<unknown>)[Symbol.iterator]().next().done === true;
  if (isFields(data)) return Object.keys(data).length === 0;
  return false;
}

/** Reads the media type and `boundary` parameter of a Content-Type value. */
function parseContentType(value: string): { multipart: boolean; boundary: string | null } {
  const semi = value.indexOf(";");
  const media = (semi === -1 ? value : value.slice(0, semi)).trim().toLowerCase();
  if (media !== "multipart/form-data") return { multipart: false, boundary: null };
  let i = semi === -1 ? value.length : semi + 1;
  while (i < value.length) {
    const eq = value.indexOf("=", i);
    if (eq === -1) break;
    const name = value.slice(i, eq).trim().toLowerCase();
    let j = eq + 1;
    let param = "";
    if (value[j] === '"') {
      for (j++; j < value.length && value[j] !== '"'; j++)
        param += value[j] === "\\" ? (value[++j] ?? "") : value[j];
      const next = value.indexOf(";", j);
      i = next === -1 ? value.length : next + 1;
    } else {
      const next = value.indexOf(";", j);
      param = value.slice(j, next === -1 ? value.length : next).trim();
      i = next === -1 ? value.length : next + 1;
    }
    if (name === "boundary") return { multipart: true, boundary: param };
  }
  return { multipart: true, boundary: null };
}

function fieldParts(data: DataInput, parts: MultipartPart[]): void {
  if (typeof data === "object" && data !== null && isFormData(data)) {
    for (const [name, value] of data as unknown as Iterable<[string, string | Blob]>) {
      if (typeof value === "string") parts.push({ name, content: value });
      else parts.push({ name, content: value, filename: (value as Partial<File>).name ?? "blob" });
    }
    return;
  }
  forEachField(data as FieldsInput, (name, value) => {
    parts.push({ name, content: value });
  });
}

/** The basename a file-like content carries: File `name`, fs.ReadStream `path`. */
function guessFilename(content: unknown): string | null {
  if (typeof content !== "object" || content === null) return null;
  const named = isBlob(content) ? (content as Partial<File>).name : (content as { path?: unknown }).path;
  if (typeof named !== "string" || named.length === 0) return null;
  // Like Requests: pseudo-names such as "<stdin>" are not filenames.
  if (named.startsWith("<") && named.endsWith(">")) return null;
  const cut = Math.max(named.lastIndexOf("/"), named.lastIndexOf("\\"));
  return cut === -1 ? named : named.slice(cut + 1) || null;
}

function fileParts(files: FilesInput, parts: MultipartPart[]): void {
  const entries: Iterable<readonly [string, FileSpec | null | undefined]> = Array.isArray(files)
    ? (files as ReadonlyArray<readonly [string, FileSpec | null | undefined]>)
    : Object.entries(files as Record<string, FileSpec | null | undefined>);
  for (const [name, spec] of entries) {
    if (spec === null || spec === undefined) continue;
    if (Array.isArray(spec)) {
      const [filename, content, contentType, headers] = spec as Exclude<FileSpec, FileContent>;
      if (content === null || content === undefined) continue;
      const part: MultipartPart = { name, content, filename: filename ?? null };
      if (contentType !== undefined) part.contentType = contentType;
      if (headers !== undefined) part.headers = headers;
      parts.push(part);
    } else {
      const content = spec as FileContent;
      parts.push({ name, content, filename: guessFilename(content) ?? name });
    }
  }
}

function multipart(parts: MultipartPart[], callerType: string | null): EncodedBody {
  if (callerType !== null) {
    const { multipart: isMultipart, boundary } = parseContentType(callerType);
    if (isMultipart && boundary !== null) {
      if (!isValidBoundary(boundary)) {
        throw new InvalidHeader(`Invalid multipart boundary in Content-Type: ${JSON.stringify(boundary)}`);
      }
      return { body: new MultipartBody(parts, { boundary }), contentType: callerType };
    }
    const body = new MultipartBody(parts);
    return { body, contentType: isMultipart ? `${callerType}; boundary=${body.boundary}` : callerType };
  }
  const body = new MultipartBody(parts);
  return { body, contentType: body.contentType };
}

function encodeJson(json: unknown, callerType: string | null): EncodedBody {
  let text: string | undefined;
  try {
    text = JSON.stringify(json);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new InvalidJSONError(`The json option could not be serialized: ${why}`, { cause });
  }
  if (text === undefined) {
    throw new InvalidJSONError(`The json option could not be serialized: a ${typeof json} has no JSON form`);
  }
  return { body: utf8.encode(text), contentType: callerType ?? "application/json" };
}

function encodeData(data: DataInput, callerType: string | null): EncodedBody {
  if (typeof data === "string") return { body: utf8.encode(data), contentType: callerType };
  if (isBytes(data)) return { body: toBytes(data), contentType: callerType };
  if (typeof data !== "object" || data === null) {
    throw new TypeError(`Unsupported data type: ${data === null ? "null" : typeof data}`);
  }
  if (isStreamBody(data)) {
    const own = data instanceof MultipartBody ? data.contentType : null;
    return { body: data, contentType: callerType ?? own };
  }
  if (isBlob(data)) return { body: streamBodyFrom(data), contentType: callerType ?? (data.type || null) };
  if (isFormData(data)) {
    const parts: MultipartPart[] = [];
    fieldParts(data, parts);
    return multipart(parts, callerType);
  }
  if (isFields(data)) {
    if (callerType !== null && parseContentType(callerType).multipart) {
      const parts: MultipartPart[] = [];
      fieldParts(data, parts);
      return multipart(parts, callerType);
    }
    return { body: utf8.encode(encodeParams(data)), contentType: callerType ?? FORM_URLENCODED };
  }
  return { body: streamBodyFrom(data as StreamSource), contentType: callerType };
}

/**
 * Encodes the body options of one request. Throws {@link InvalidJSONError} (with the cause) for
 * a `json` value JSON cannot represent (BigInt, cycles, functions), TypeError for unsupported
 * inputs or for non-field `data` combined with `files`, {@link InvalidHeader} for a bad
 * caller-given multipart boundary.
 */
export function encodeBody(input: EncodeBodyInput): EncodedBody {
  const callerType = input.contentType ?? null;
  const { data, files, json } = input;
  const hasData = data !== null && data !== undefined && !isEmptyData(data);
  if (files !== null && files !== undefined && Object.keys(files).length > 0) {
    const parts: MultipartPart[] = [];
    if (hasData) {
      if (typeof data !== "object" || !(isFormData(data) || isFields(data))) {
        throw new TypeError("When files are given, data must be form fields (record, pairs or FormData)");
      }
      fieldParts(data, parts);
    }
    fileParts(files, parts);
    return multipart(parts, callerType);
  }
  if (hasData) return encodeData(data, callerType);
  if (json !== undefined) return encodeJson(json, callerType);
  return { body: null, contentType: callerType };
}
