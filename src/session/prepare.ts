/**
 * Turns user input (a Request plus session defaults) into a PreparedRequest: absolute URL with
 * query, merged and validated headers, encoded body with its framing headers.
 */
import { CookieJar } from "../cookies/cookie-jar.ts";
import { InvalidSchema, InvalidURL, MissingSchema } from "../errors/errors.ts";
import { type Hooks, type HookTable, mergeHooks } from "../hooks/hooks.ts";
import { CaseInsensitiveDict } from "../models/case-insensitive-dict.ts";
import { PreparedRequest } from "../models/prepared-request.ts";
import type { Request } from "../models/request.ts";
import { encodeBody } from "./encode-body.ts";
import { applyParams, mergeParams, type ParamsInput } from "./encode-params.ts";
import type { HeadersInput } from "./options.ts";
import { announcedNames, prepareTrailers } from "./trailers.ts";
import { validateHeaderName, validateHeaderValue } from "./validate-headers.ts";

const SCHEMES = new Set(["http:", "https:", "http+unix:"]);
const BODYLESS_OK = new Set(["GET", "HEAD", "OPTIONS", "DELETE", "TRACE", "CONNECT"]);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export interface PrepareDefaults {
  baseUrl: string | null;
  headers: CaseInsensitiveDict;
  params: ParamsInput | null;
  /** Merged (in order) into the prepared request's hooks once everything else is valid. */
  hooks?: ReadonlyArray<Hooks | HookTable | null>;
}

/** Joins a relative URL onto the session's base URL (plain concatenation, as Niquests does). */
export function joinBaseUrl(baseUrl: string | null, url: string): string {
  if (baseUrl === null || url.includes("://")) return url;
  if (url === "") return baseUrl;
  if (baseUrl.endsWith("/")) return url.startsWith("/") ? baseUrl + url.slice(1) : baseUrl + url;
  return url.startsWith("/") || url.startsWith("?") ? baseUrl + url : `${baseUrl}/${url}`;
}

export function parseRequestUrl(raw: string): URL {
  if (!raw.includes("://")) {
    throw new MissingSchema(`Invalid URL '${raw}': No scheme supplied. Perhaps you meant https://${raw}?`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch (error) {
    throw new InvalidURL(`Invalid URL '${raw}'`, { cause: error });
  }
  if (!SCHEMES.has(url.protocol)) throw new InvalidSchema(`No connection adapters were found for '${raw}'`);
  if (url.hostname === "") throw new InvalidURL(`Invalid URL '${raw}': No host supplied`);
  return url;
}

/** Session headers overlaid with request headers; a null request value removes the header. */
export function mergeHeaders(
  base: CaseInsensitiveDict,
  extra: HeadersInput | null | undefined,
): CaseInsensitiveDict {
  const merged = base.copy();
  if (!extra) return merged;
  const pairs: Iterable<[string, unknown]> =
    extra instanceof CaseInsensitiveDict || extra instanceof Headers || Array.isArray(extra)
      ? (extra as Iterable<[string, unknown]>)
      : Object.entries(extra);
  for (const [name, value] of pairs) {
    if (value === null || value === undefined) merged.delete(name);
    else merged.set(name, String(value));
  }
  return merged;
}

export function prepare(request: Request, defaults: PrepareDefaults): PreparedRequest {
  const method = request.method.toUpperCase();
  if (!TOKEN.test(method)) throw new TypeError(`Invalid HTTP method ${JSON.stringify(request.method)}`);
  const url = parseRequestUrl(joinBaseUrl(defaults.baseUrl, request.url));
  applyParams(url, mergeParams(defaults.params, request.params));

  const headers = mergeHeaders(defaults.headers, request.headers);
  const encoded = encodeBody({
    data: request.data ?? undefined,
    json: request.json,
    files: request.files ?? undefined,
    contentType: headers.get("Content-Type"),
  });
  // A caller's own Content-Type comes back unchanged (or with the multipart boundary added).
  if (encoded.contentType !== null) headers.set("Content-Type", encoded.contentType);
  const body = encoded.body;
  const trailers = prepareTrailers(request.trailers);
  if (trailers !== null) {
    // HTTP/1.1 carries trailers only after a chunked body, an empty one included.
    headers.delete("Content-Length");
    headers.set("Transfer-Encoding", "chunked");
    if (typeof trailers !== "function" && !headers.has("Trailer")) {
      headers.set("Trailer", announcedNames(trailers.toList()));
    }
  } else if (body === null) {
    if (!BODYLESS_OK.has(method)) headers.set("Content-Length", "0");
  } else {
    const length = body instanceof Uint8Array ? body.byteLength : body.length;
    if (length === null) {
      headers.delete("Content-Length");
      headers.set("Transfer-Encoding", "chunked");
    } else {
      headers.delete("Transfer-Encoding");
      headers.set("Content-Length", String(length));
    }
  }
  // forEach, not for…of: no iterator and no pair per header on every request.
  headers.forEach((value, name) => {
    validateHeaderName(name);
    validateHeaderValue(name, value);
  });
  const prepared = new PreparedRequest(headers, defaults.hooks ? mergeHooks(...defaults.hooks) : undefined);
  prepared.method = method;
  prepared.setUrl(url);
  prepared.body = body;
  prepared.trailers = trailers;
  if (request.cookies) {
    prepared.requestCookies =
      request.cookies instanceof CookieJar ? request.cookies.toJSON() : request.cookies;
  }
  return prepared;
}
