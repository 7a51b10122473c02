/**
 * A request exactly as it goes on the wire: method, absolute URL, final headers and encoded
 * body. `Session.prepareRequest()` makes one; `Session.send()` sends it.
 */
import { emptyHooks, type HookTable } from "../hooks/hooks.ts";
import type { TrailersFunction } from "../session/options.ts";
import type { ConnectionInfo, RequestBody } from "../transport/transport.ts";
import { CaseInsensitiveDict } from "./case-insensitive-dict.ts";

export class PreparedRequest {
  /** Upper-case method. */
  method = "GET";
  /** Absolute URL, query string included. */
  url = "";
  headers: CaseInsensitiveDict;
  /** Encoded body: bytes, or a stream body (see `StreamBody`), or null. */
  body: RequestBody | null = null;
  /**
   * Trailer fields sent after the body: validated fields, or the function computing them once
   * the body is out; null for none. Checked again before each send.
   */
  trailers: CaseInsensitiveDict | TrailersFunction | null = null;
  hooks: HookTable;
  /** Cookies given for this request only; re-applied on each redirect hop, never stored. */
  requestCookies: Record<string, string> | null = null;
  /** The connection this request goes over, once one is chosen (set before preSend hooks). */
  connInfo: ConnectionInfo | null = null;
  #parsed: URL | null = null;

  /** Headers and hooks may be handed over (the session's prepare builds its own anyway). */
  constructor(headers?: CaseInsensitiveDict, hooks?: HookTable) {
    this.headers = headers ?? new CaseInsensitiveDict();
    this.hooks = hooks ?? emptyHooks();
  }

  /** Sets the URL from a parsed URL, keeping the parse for the transport. */
  setUrl(url: URL): void {
    this.#parsed = url;
    this.url = url.href;
  }

  /** The URL parsed once; re-parsed only if `url` was reassigned since. */
  parsedUrl(): URL {
    if (this.#parsed === null || this.#parsed.href !== this.url) this.#parsed = new URL(this.url);
    return this.#parsed;
  }

  /** A shallow copy with its own headers (a redirect changes headers, not the original). */
  copy(): PreparedRequest {
    const copy = new PreparedRequest(this.headers.copy(), this.hooks);
    copy.method = this.method;
    copy.url = this.url;
    copy.#parsed = this.#parsed;
    copy.body = this.body;
    copy.trailers = typeof this.trailers === "function" ? this.trailers : (this.trailers?.copy() ?? null);
    copy.requestCookies = this.requestCookies;
    return copy;
  }

  /** The request line, for debugging: `<PreparedRequest [GET]>` as in Requests. */
  toString(): string {
    return `<PreparedRequest [${this.method}]>`;
  }
}
