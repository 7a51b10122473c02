/**
 * Header translation between our wire-order header lists and node:http2 header blocks: names
 * lowercased, Host becomes `:authority`, and the connection-specific fields HTTP/2 forbids
 * (RFC 9113 §8.2.2) are dropped rather than sent (a peer must treat them as malformed).
 */
import type { OutgoingHttpHeaders } from "node:http2";
import type { HeaderList } from "../events.ts";

const CONNECTION_SPECIFIC = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "host",
  "http2-settings",
]);

/** The request header block: pseudo-headers first, then the fields in their original order. */
export function requestHeaderBlock(method: string, url: URL, headers: HeaderList): OutgoingHttpHeaders {
  let authority = url.host;
  const block: OutgoingHttpHeaders = {
    ":method": method,
    ":scheme": url.protocol === "https:" ? "https" : "http",
    ":authority": authority,
    ":path": `${url.pathname}${url.search}` || "/",
  };
  for (const [rawName, value] of headers) {
    const name = rawName.toLowerCase();
    if (CONNECTION_SPECIFIC.has(name)) {
      if (name === "host") authority = value;
      continue;
    }
    // TE is allowed only as "trailers" in HTTP/2.
    if (name === "te" && value.trim().toLowerCase() !== "trailers") continue;
    const previous = block[name];
    if (previous === undefined) block[name] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else block[name] = [String(previous), value];
  }
  block[":authority"] = authority;
  return block;
}

/**
 * A request trailer block: lowercase names, repeated names as arrays. No pseudo-headers, and
 * the connection-specific fields are dropped as in the header block (the session already
 * refuses them; node:http2 would throw).
 */
export function trailerBlock(fields: HeaderList): OutgoingHttpHeaders {
  const block: OutgoingHttpHeaders = {};
  for (const [rawName, value] of fields) {
    const name = rawName.toLowerCase();
    if (CONNECTION_SPECIFIC.has(name) || name === "te" || name.charCodeAt(0) === 58) continue;
    const previous = block[name];
    if (previous === undefined) block[name] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else block[name] = [String(previous), value];
  }
  return block;
}

/** node:http2 raw headers (`[name, value, name, value …]`) without pseudo-headers, in wire order. */
export function headerListFromRaw(raw: readonly string[]): HeaderList {
  const list: HeaderList = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.charCodeAt(0) === 58 /* ":" */) continue;
    list.push([name, raw[i + 1]!]);
  }
  return list;
}

/** The `:status` of a raw header block, or NaN when missing. */
export function statusFromRaw(raw: readonly string[]): number {
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i] === ":status") return Number(raw[i + 1]);
  return Number.NaN;
}
