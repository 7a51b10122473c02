/**
 * One hop of the pipeline: Cookie header from the jar, the transport, the Response model, and
 * Set-Cookie back into the jar. Redirects, auth flows and retries are decided by the caller.
 */
import type { CookieJar } from "../cookies/cookie-jar.ts";
import type { DownloadProgress } from "../hooks/hooks.ts";
import type { PreparedRequest } from "../models/prepared-request.ts";
import { Response } from "../models/response.ts";
import type { TransportContext } from "../transport/transport.ts";
import type { Session } from "./session.ts";
import { transportTrailers } from "./trailers.ts";

export interface HopSettings {
  ctx: TransportContext;
  jar: CookieJar;
  onDownload: ((progress: DownloadProgress) => void) | null;
}

export async function exchange(
  session: Session,
  request: PreparedRequest,
  hop: HopSettings,
): Promise<Response> {
  const url = request.parsedUrl();
  const headers = request.headers;
  if (!headers.has("Cookie")) {
    const cookie = cookieHeader(hop.jar, request);
    if (cookie) headers.set("Cookie", cookie);
  }
  const trailers = transportTrailers(request.trailers);
  const started = performance.now();
  const transport = session.getAdapter(request.url);
  const result = await transport.handle(
    {
      method: request.method,
      url,
      headers: withHost(headers.toList(), url),
      body: request.body,
      trailers,
    },
    hop.ctx,
  );
  const response = new Response({
    statusCode: result.status,
    reason: result.reason,
    headers: result.headers,
    body: result.body,
    url: request.url,
    request,
    httpVersion: result.httpVersion,
    connInfo: result.connInfo,
    elapsed: performance.now() - started,
    maxDecompressedSize: session.maxDecompressedSize,
    onDownload: hop.onDownload,
  });
  if (session.allowIncomingCookies) {
    const setCookies = response.headers.getAll("Set-Cookie");
    if (setCookies.length > 0) {
      hop.jar.extract(request.url, setCookies);
      response.cookies.extract(request.url, setCookies);
    }
  }
  return response;
}

/** Jar cookies for the URL, then per-request cookies (which win on a name clash). */
function cookieHeader(jar: CookieJar, request: PreparedRequest): string {
  const fromJar = jar.headerFor(request.url);
  const extra = request.requestCookies;
  if (!extra) return fromJar;
  const pairs = new Map<string, string>();
  if (fromJar) {
    for (const part of fromJar.split("; ")) {
      const eq = part.indexOf("=");
      pairs.set(eq < 0 ? part : part.slice(0, eq), eq < 0 ? "" : part.slice(eq + 1));
    }
  }
  for (const [name, value] of Object.entries(extra)) pairs.set(name, value);
  return [...pairs].map(([name, value]) => `${name}=${value}`).join("; ");
}

function withHost(list: Array<[string, string]>, url: URL): Array<[string, string]> {
  for (let i = 0; i < list.length; i++) {
    const name = list[i]![0];
    if (name.length === 4 && name.toLowerCase() === "host") return list;
  }
  // A Unix socket path is no host name: servers behind one expect a plain name.
  list.unshift(["Host", url.protocol === "http+unix:" ? "localhost" : url.host]);
  return list;
}
