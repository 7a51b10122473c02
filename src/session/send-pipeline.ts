/**
 * The send pipeline: preRequest hooks → auth → (Cookie header → transport → Set-Cookie →
 * response hooks → redirect?)* → body. Timeouts and cancellation wrap the whole exchange.
 */
import { type AuthBase, type AuthFunction, applyAuth } from "../auth/auth-base.ts";
import { CookieJar } from "../cookies/cookie-jar.ts";
import { RequestException, Timeout, TooManyRedirects } from "../errors/errors.ts";
import { dispatchHooks } from "../hooks/hooks.ts";
import type { PreparedRequest } from "../models/prepared-request.ts";
import { Response } from "../models/response.ts";
import type { TransportContext } from "../transport/transport.ts";
import { buildRedirect, redirectLocation } from "./redirect.ts";
import { EPHEMERAL_COOKIES, type SendOptions, type Session } from "./session.ts";
import { defaultTimeout, resolveTimeout, type TimeoutConfiguration } from "./timeouts.ts";

/** Redirect bodies larger than this are not drained; their connection is closed instead. */
const DRAIN_LIMIT = 64 * 1024;

export async function sendPipeline(
  session: Session,
  initial: PreparedRequest,
  auth: AuthBase | AuthFunction | null,
  options: SendOptions,
): Promise<Response> {
  const timeout: TimeoutConfiguration =
    options.timeout !== undefined
      ? resolveTimeout(options.timeout)
      : session.timeout !== undefined
        ? resolveTimeout(session.timeout)
        : defaultTimeout(initial.method);
  const deadline = timeout.total === null ? null : new Deadline(timeout.total);
  const userSignal = options.signal ?? null;
  const signal = deadline
    ? userSignal
      ? AbortSignal.any([userSignal, deadline.signal])
      : deadline.signal
    : userSignal;
  const ctx: TransportContext = {
    connectTimeout: timeout.connect,
    readTimeout: timeout.read,
    signal,
    tls: { verify: options.verify ?? session.verify, cert: options.cert ?? session.cert },
    onInformational: null,
    onUpload: null,
  };
  const jar = session[EPHEMERAL_COOKIES] ? CookieJar.from(null) : session.cookies;
  const stream = options.stream ?? session.stream;
  const allowRedirects = options.allowRedirects ?? true;
  let request = initial;
  try {
    request = await dispatchHooks(initial.hooks.preRequest, initial);
    if (auth) request = await applyAuth(auth, request);
    const history: Response[] = [];
    let response: Response;
    for (;;) {
      response = await exchange(session, request, ctx, jar);
      response = await dispatchHooks(request.hooks.response, response);
      response.history = history.slice();
      const target = redirectLocation(response, request.parsedUrl());
      if (target === null) break;
      const next = buildRedirect(request, response, target);
      if (!allowRedirects) {
        response.nextRequest = next;
        break;
      }
      if (history.length >= session.maxRedirects) {
        await response.close();
        throw new TooManyRedirects(`Exceeded ${session.maxRedirects} redirects.`, { request, response });
      }
      await drain(response);
      history.push(response);
      request = next;
    }
    if (!stream) await response.load();
    return response;
  } catch (error) {
    throw annotate(error, request, signal);
  } finally {
    deadline?.clear();
  }
}

/** One hop: Cookie header, transport, response model, Set-Cookie into the jar. */
async function exchange(
  session: Session,
  request: PreparedRequest,
  ctx: TransportContext,
  jar: CookieJar,
): Promise<Response> {
  const url = request.parsedUrl();
  const headers = request.headers;
  if (!headers.has("Cookie")) {
    const cookie = cookieHeader(jar, request);
    if (cookie) headers.set("Cookie", cookie);
  }
  const started = performance.now();
  const transport = session.getAdapter(request.url);
  const result = await transport.handle(
    { method: request.method, url, headers: withHost(headers.toList(), url), body: request.body },
    ctx,
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
  });
  if (session.allowIncomingCookies) {
    const setCookies = response.headers.getAll("Set-Cookie");
    if (setCookies.length > 0) {
      jar.extract(request.url, setCookies);
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
  for (const [name] of list) if (name.length === 4 && name.toLowerCase() === "host") return list;
  list.unshift(["Host", url.host]);
  return list;
}

/** Reads a small redirect body so its connection can be reused; closes a large one. */
async function drain(response: Response): Promise<void> {
  const length = Number(response.headers.get("Content-Length") ?? Number.NaN);
  if (length > DRAIN_LIMIT) {
    await response.close();
    return;
  }
  try {
    await response.load();
  } catch {
    await response.close();
  }
}

/** Attaches the request to our errors; turns the deadline's abort into its Timeout error. */
function annotate(error: unknown, request: PreparedRequest, signal: AbortSignal | null): unknown {
  if (signal?.aborted && signal.reason instanceof Timeout && error !== signal.reason) error = signal.reason;
  if (error instanceof RequestException && error.request === null) error.request = request;
  return error;
}

/** The `total` timeout: one timer for the whole call, redirects and body included. */
class Deadline {
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;

  constructor(ms: number) {
    this.#timer = setTimeout(() => {
      this.#controller.abort(new Timeout(`The request took longer than its total timeout of ${ms} ms`));
    }, ms);
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  clear(): void {
    clearTimeout(this.#timer);
  }
}
