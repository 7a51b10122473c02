/**
 * A server's answer. With `stream: false` (the default) the body is loaded before the promise
 * resolves, so `content`, `text` and `json()` are plain synchronous accessors; with
 * `stream: true` call `await r.load()` first, or iterate `r.iterContent()`.
 */
import { CookieJar } from "../cookies/cookie-jar.ts";
import { BodyNotLoadedError, HTTPError, JSONDecodeError, StreamConsumedError } from "../errors/errors.ts";
import type { DownloadProgress } from "../hooks/hooks.ts";
import type { HeaderList } from "../protocols/events.ts";
import type { ConnectionInfo, ResponseBodyStream } from "../transport/transport.ts";
import { CaseInsensitiveDict } from "./case-insensitive-dict.ts";
import { charsetFromContentType, decodeText, detectEncoding } from "./charset.ts";
import { parseLinkHeader } from "./link-header.ts";
import { type ObjectHeaders, objectHeaders } from "./object-headers.ts";
import type { PreparedRequest } from "./prepared-request.ts";
import { ProgressBody } from "./progress-body.ts";
import { ResponseBody } from "./response-body.ts";
import { reasonPhrase } from "./status-codes.ts";

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const PERMANENT_STATUSES = new Set([301, 308]);

export interface ResponseInit {
  statusCode: number;
  reason?: string;
  headers?: CaseInsensitiveDict | HeaderList;
  /** A transport body stream, or bytes for a response built in memory. */
  body?: ResponseBodyStream | Uint8Array | null;
  url?: string;
  request?: PreparedRequest | null;
  httpVersion?: 10 | 11 | 20 | 30;
  connInfo?: ConnectionInfo | null;
  elapsed?: number;
  /** Largest decompressed body accepted, in bytes. */
  maxDecompressedSize?: number | null;
  /** Reports download progress as body bytes arrive. */
  onDownload?: ((progress: DownloadProgress) => void) | null;
}

export class Response {
  statusCode: number;
  /** Reason phrase as the server sent it (or the standard one when it sent none). */
  reason: string;
  /** Final URL, after redirects. */
  url: string;
  headers: CaseInsensitiveDict;
  #cookies: CookieJar | null = null;
  /** Redirect responses that led here, oldest first. */
  history: Response[] = [];
  /** Milliseconds from sending the request to receiving the response head. */
  elapsed: number;
  request: PreparedRequest | null;
  httpVersion: 10 | 11 | 20 | 30;
  connInfo: ConnectionInfo | null;
  /** The request a redirect would lead to, when redirects were not followed. */
  nextRequest: PreparedRequest | null = null;
  /** WebSocket / SSE extension, when the URL scheme asked for one. */
  extension: null = null;
  readonly #body: ResponseBody;
  #encoding: string | null | undefined = undefined;

  constructor(init: ResponseInit) {
    this.statusCode = init.statusCode;
    this.reason = init.reason || reasonPhrase(init.statusCode);
    const headers = init.headers ?? new CaseInsensitiveDict();
    this.headers = headers instanceof CaseInsensitiveDict ? headers : CaseInsensitiveDict.fromList(headers);
    this.url = init.url ?? "";
    this.request = init.request ?? null;
    this.httpVersion = init.httpVersion ?? 11;
    this.connInfo = init.connInfo ?? null;
    this.elapsed = init.elapsed ?? 0;
    let body = init.body ?? null;
    if (init.onDownload && body !== null && !(body instanceof Uint8Array)) {
      const length = Number(this.headers.get("Content-Length") ?? Number.NaN);
      body = new ProgressBody(body, Number.isSafeInteger(length) ? length : null, init.onDownload);
    }
    this.#body = new ResponseBody(
      body,
      this.headers.get("Content-Encoding"),
      init.maxDecompressedSize ?? null,
    );
  }

  /** Cookies the server set in this response (made on first use: most responses set none). */
  get cookies(): CookieJar {
    this.#cookies ??= new CookieJar();
    return this.#cookies;
  }
  set cookies(jar: CookieJar) {
    this.#cookies = jar;
  }

  /**
   * The headers as objects: `r.oheaders.contentType?.charset`, `r.oheaders.cacheControl?.maxAge`.
   * A live view of `headers` (made once per headers dict; parsed values cached while unchanged).
   */
  get oheaders(): ObjectHeaders {
    return objectHeaders(this.headers);
  }

  /** True for status codes below 400. */
  get ok(): boolean {
    return this.statusCode < 400;
  }

  get isRedirect(): boolean {
    return REDIRECT_STATUSES.has(this.statusCode) && this.headers.has("Location");
  }

  get isPermanentRedirect(): boolean {
    return PERMANENT_STATUSES.has(this.statusCode) && this.headers.has("Location");
  }

  /** Parsed Link header keyed by `rel`, URLs resolved against the response URL. */
  get links(): ReturnType<typeof parseLinkHeader> {
    const header = this.headers.get("Link");
    if (!header) return {};
    const links = parseLinkHeader(header);
    if (this.url) {
      for (const link of Object.values(links)) {
        try {
          link.url = new URL(link.url, this.url).href;
        } catch {
          // Leave a URL we cannot resolve as the server wrote it.
        }
      }
    }
    return links;
  }

  /** Trailer fields (chunked trailers), available once the body was read to its end. */
  get trailers(): CaseInsensitiveDict {
    return CaseInsensitiveDict.fromList(this.#body.raw?.trailers ?? []);
  }

  /** The transport's body stream (undecoded bytes). */
  get raw(): ResponseBodyStream | null {
    return this.#body.raw;
  }

  /**
   * Charset used by `text`: set it to override. Defaults to the Content-Type charset, or null
   * (then `text` detects it).
   */
  get encoding(): string | null {
    if (this.#encoding !== undefined) return this.#encoding;
    return charsetFromContentType(this.headers.get("Content-Type"));
  }
  set encoding(value: string | null) {
    this.#encoding = value;
  }

  /** The charset detected from the body bytes (loads nothing: the body must be loaded). */
  get apparentEncoding(): string | null {
    return detectEncoding(this.content ?? new Uint8Array(0));
  }

  /** The decoded body bytes. Throws when the body is not loaded yet (`stream: true`). */
  get content(): Uint8Array | null {
    const loaded = this.#body.loaded;
    if (loaded !== null) return loaded;
    if (this.#body.consumed) throw new StreamConsumedError("The response body was streamed and is gone");
    throw new BodyNotLoadedError(
      "The response body is not loaded yet (stream: true): call `await r.load()` first",
    );
  }

  /** The body as text, or null when no charset decodes it with confidence. */
  get text(): string | null {
    const content = this.content!;
    return decodeText(content, this.encoding).text;
  }

  /** Parses the body as JSON. Throws JSONDecodeError (with the text as `doc`) when it is not. */
  json<T = unknown>(): T {
    const content = this.content!;
    const declared = this.encoding ?? "utf-8";
    const text = decodeText(content, declared).text;
    if (text === null)
      throw Object.assign(new JSONDecodeError("The body could not be decoded as text", { response: this }), {
        doc: "",
      });
    try {
      return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as T;
    } catch (error) {
      const failure = new JSONDecodeError(`Invalid JSON: ${(error as Error).message}`, {
        cause: error,
        response: this,
      });
      failure.doc = text;
      throw failure;
    }
  }

  /** Throws HTTPError for 4xx and 5xx responses; returns the response otherwise. */
  raiseForStatus(): this {
    const kind =
      this.statusCode >= 500 && this.statusCode < 600
        ? "Server"
        : this.statusCode >= 400 && this.statusCode < 500
          ? "Client"
          : null;
    if (kind) {
      throw new HTTPError(`${this.statusCode} ${kind} Error: ${this.reason} for url: ${this.url}`, {
        response: this,
      });
    }
    return this;
  }

  /** Reads the whole body (decoded) into memory; then `content`/`text`/`json()` work. */
  load(): Promise<this> {
    // Not async: a body already loaded (the usual case by now) costs no extra microtasks.
    const loading = this.#body.load();
    return this.#body.loaded !== null ? Promise.resolve(this) : loading.then(() => this);
  }

  /** Decoded body chunks; strings when `decodeUnicode` is set. */
  iterContent(chunkSize: number | null = null, decodeUnicode = false): AsyncIterable<Uint8Array | string> {
    const chunks = this.#body.decoded(chunkSize);
    return decodeUnicode ? decodeChunks(chunks, this.encoding ?? "utf-8") : chunks;
  }

  /** The body line by line (LF or CRLF), without line endings. */
  iterLines(
    options: { chunkSize?: number | null; decodeUnicode?: boolean; delimiter?: string } = {},
  ): AsyncIterable<string | Uint8Array> {
    return iterLines(
      this.iterContent(options.chunkSize ?? null, true) as AsyncIterable<string>,
      options.delimiter ?? null,
      options.decodeUnicode ?? true,
    );
  }

  /** Undecoded chunks as they came off the wire. */
  iterRaw(chunkSize: number | null = null): AsyncIterable<Uint8Array> {
    return this.#body.rawChunks(chunkSize);
  }

  /** Releases the connection; an unread body closes it rather than draining it. */
  async close(): Promise<void> {
    this.#body.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  toString(): string {
    return `<Response [${this.statusCode}]>`;
  }
}

async function* decodeChunks(chunks: AsyncIterable<Uint8Array>, encoding: string): AsyncGenerator<string> {
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(encoding);
  } catch {
    decoder = new TextDecoder("utf-8");
  }
  for await (const chunk of chunks) {
    const text = decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  const tail = decoder.decode();
  if (tail) yield tail;
}

async function* iterLines(
  source: AsyncIterable<string>,
  delimiter: string | null,
  asText: boolean,
): AsyncGenerator<string | Uint8Array> {
  const encoder = new TextEncoder();
  const out = (line: string): string | Uint8Array => (asText ? line : encoder.encode(line));
  let pending = "";
  for await (const text of source) {
    pending += text;
    const parts = delimiter === null ? pending.split(/\r?\n/) : pending.split(delimiter);
    pending = parts.pop() ?? "";
    for (const part of parts) yield out(part);
  }
  if (pending) yield out(pending.endsWith("\r") && delimiter === null ? pending.slice(0, -1) : pending);
}
