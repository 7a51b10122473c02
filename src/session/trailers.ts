/**
 * Request trailers: normalizing the user's input to wire pairs, the checks every field gets
 * (header syntax, then the RFC 9110 §6.5.1 list of fields a recipient must not take from a
 * trailer section), and the function the transport calls once the body is out.
 */
import { InvalidHeader, RequestException } from "../errors/errors.ts";
import { CaseInsensitiveDict } from "../models/case-insensitive-dict.ts";
import type { HeaderList } from "../protocols/events.ts";
import type { RequestTrailers } from "../transport/transport.ts";
import type { HeadersInput, TrailersFunction, TrailersInput } from "./options.ts";
import { validateHeaderName, validateHeaderValue } from "./validate-headers.ts";

/**
 * Fields that frame, route, authenticate or describe the message (RFC 9110 §6.5.1): a server
 * must not let a trailer change them, so sending one is a bug on our side of the wire.
 */
const FORBIDDEN = new Set([
  // framing and connection management
  "content-length",
  "transfer-encoding",
  "trailer",
  "te",
  "connection",
  "keep-alive",
  "proxy-connection",
  "upgrade",
  "http2-settings",
  // routing and request modifiers
  "host",
  "expect",
  "max-forwards",
  "cache-control",
  "pragma",
  "range",
  "if-match",
  "if-none-match",
  "if-modified-since",
  "if-unmodified-since",
  "if-range",
  // authentication and state
  "authorization",
  "proxy-authorization",
  "www-authenticate",
  "proxy-authenticate",
  "cookie",
  "set-cookie",
  // content processing
  "content-type",
  "content-encoding",
  "content-range",
]);

/** True for a field name the trailer section must not carry (case-insensitive). */
export function isForbiddenTrailer(name: string): boolean {
  return FORBIDDEN.has(name.toLowerCase());
}

function pairsOf(input: HeadersInput): Iterable<readonly [string, unknown]> {
  if (input instanceof CaseInsensitiveDict) return input.toList();
  if (input instanceof Headers || Array.isArray(input)) return input as Iterable<[string, unknown]>;
  if (typeof input !== "object" || input === null) {
    throw new InvalidHeader(`Trailers must be a record, pairs, Headers or a CaseInsensitiveDict`);
  }
  return Object.entries(input);
}

/**
 * The trailer fields of `input` as wire pairs, repeated names kept apart; `null`/`undefined`
 * values are skipped (a field with nothing to say), numbers stringified.
 * @throws InvalidHeader for a bad name or value, a pseudo-header, or a forbidden field.
 */
export function trailerList(input: HeadersInput): HeaderList {
  const list: HeaderList = [];
  for (const pair of pairsOf(input)) {
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw new InvalidHeader("Trailer pairs must be [name, value] arrays");
    }
    const [name, raw] = pair as [string, unknown];
    if (raw === null || raw === undefined) continue;
    if (typeof name === "string" && name.startsWith(":")) {
      throw new InvalidHeader(`Pseudo-header ${JSON.stringify(name)} cannot be sent as a trailer`);
    }
    validateHeaderName(name);
    if (isForbiddenTrailer(name)) {
      throw new InvalidHeader(
        `Header ${JSON.stringify(name)} is not allowed in a trailer section (RFC 9110 §6.5.1)`,
      );
    }
    const value = typeof raw === "number" ? String(raw) : (raw as string);
    validateHeaderValue(name, value);
    list.push([name, value]);
  }
  return list;
}

/** Distinct names of `list` in first-seen order, for the `Trailer` header. */
export function announcedNames(list: HeaderList): string {
  const seen = new Map<string, string>();
  for (const [name] of list) if (!seen.has(name.toLowerCase())) seen.set(name.toLowerCase(), name);
  return [...seen.values()].join(", ");
}

/**
 * Validates static trailers for a PreparedRequest: a CaseInsensitiveDict of them, or null when
 * there are none (an empty set changes nothing on the wire). A function is kept as is.
 */
export function prepareTrailers(
  input: TrailersInput | null | undefined,
): CaseInsensitiveDict | TrailersFunction | null {
  if (input === null || input === undefined) return null;
  if (typeof input === "function") return input;
  const list = trailerList(input);
  if (list.length === 0) return null;
  const dict = new CaseInsensitiveDict();
  for (const [name, value] of list) dict.append(name, value);
  return dict;
}

/**
 * What the transport gets: static trailers checked again (a hook may have changed them), or a
 * function that calls the user's, checks its answer, and turns its failure into our error tree.
 */
export function transportTrailers(
  trailers: CaseInsensitiveDict | TrailersFunction | null,
): RequestTrailers | null {
  if (trailers === null) return null;
  if (typeof trailers !== "function") return trailerList(trailers);
  return async () => {
    let input: HeadersInput;
    try {
      input = await trailers();
    } catch (error) {
      if (error instanceof RequestException) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new RequestException(`The trailers function failed: ${message}`, { cause: error });
    }
    return trailerList(input ?? {});
  };
}
