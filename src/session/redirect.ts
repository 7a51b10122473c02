/**
 * Redirect policy (RFC 9110 §15.4, with the browser-compatible method changes Requests uses):
 * where the next hop goes, which method and body it keeps, and which credentials it drops.
 */
import { UnrewindableBodyError } from "../errors/errors.ts";
import type { PreparedRequest } from "../models/prepared-request.ts";
import type { Response } from "../models/response.ts";

const DEFAULT_PORTS: Record<string, string> = { "http:": "80", "https:": "443" };
const BODY_HEADERS = ["Content-Type", "Content-Length", "Transfer-Encoding", "Trailer"];

/** The absolute target of a redirect response, fragment carried over when Location has none. */
export function redirectLocation(response: Response, current: URL): URL | null {
  if (!response.isRedirect) return null;
  let location = response.headers.get("Location")!;
  // Servers sometimes send raw UTF-8 in Location; it arrives as latin1 text.
  if (/[\x80-\xff]/.test(location)) location = Buffer.from(location, "latin1").toString("utf8");
  let target: URL;
  try {
    target = new URL(location, current);
  } catch {
    return null;
  }
  if (!target.hash && current.hash) target.hash = current.hash;
  return target;
}

/** True when credentials for `from` must not be sent to `to` (Requests' should_strip_auth). */
export function shouldStripAuth(from: URL, to: URL): boolean {
  if (from.hostname !== to.hostname) return true;
  const fromPort = from.port || DEFAULT_PORTS[from.protocol];
  const toPort = to.port || DEFAULT_PORTS[to.protocol];
  // http → https on the standard ports of the same host is an upgrade, not a new origin.
  if (from.protocol === "http:" && to.protocol === "https:" && fromPort === "80" && toPort === "443")
    return false;
  return from.protocol !== to.protocol || fromPort !== toPort;
}

/** The method the next hop uses. */
function redirectMethod(status: number, method: string): string {
  if (status === 303 && method !== "HEAD") return "GET";
  // Browsers turn a redirected POST into GET for 301 and 302; Requests follows them.
  if ((status === 301 || status === 302) && method === "POST") return "GET";
  return method;
}

/** Builds the request for the next hop of a redirect chain. */
export function buildRedirect(previous: PreparedRequest, response: Response, target: URL): PreparedRequest {
  const next = previous.copy();
  const from = previous.parsedUrl();
  next.setUrl(target);
  next.method = redirectMethod(response.statusCode, previous.method);
  if (response.statusCode !== 307 && response.statusCode !== 308) {
    // Only 307 and 308 promise the same request again; the others drop the body.
    for (const name of BODY_HEADERS) next.headers.delete(name);
    next.body = null;
    // Trailers describe the body (a checksum): they go with it.
    next.trailers = null;
  } else if (next.body !== null && !(next.body instanceof Uint8Array) && !next.body.rewindable) {
    throw new UnrewindableBodyError("A streamed request body cannot be re-sent to follow a redirect", {
      request: previous,
      response,
    });
  }
  // The Cookie header is recomputed from the jar for the new URL.
  next.headers.delete("Cookie");
  if (shouldStripAuth(from, target)) next.headers.delete("Authorization");
  return next;
}
