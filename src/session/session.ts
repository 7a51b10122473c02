/**
 * The user-facing client: persistent headers, cookies, auth, params and TLS settings, plus the
 * request pipeline (hooks → auth → transport → cookies → redirects). It never touches sockets:
 * everything below goes through a Transport.
 */
import { type AuthBase, type AuthFunction, type AuthInput, toAuth } from "../auth/auth-base.ts";
import { netrcAuth } from "../auth/netrc.ts";
import { CookieJar } from "../cookies/cookie-jar.ts";
import { type HookTable, mergeHooks } from "../hooks/hooks.ts";
import { CaseInsensitiveDict } from "../models/case-insensitive-dict.ts";
import { SUPPORTED_ENCODINGS } from "../models/content-decoder.ts";
import type { PreparedRequest } from "../models/prepared-request.ts";
import { Request } from "../models/request.ts";
import type { Response } from "../models/response.ts";
import type { RetryInput } from "../retry/retry-configuration.ts";
import { HttpTransport, type HttpTransportOptions } from "../transport/http-transport.ts";
import type { Transport } from "../transport/transport.ts";
import { VERSION } from "../version.ts";
import type { ParamsInput } from "./encode-params.ts";
import { type Gatherable, type GatherOptions, gatherResponses, splitGatherArgs } from "./gather.ts";
import {
  type CertInput,
  checkRequestOptions,
  checkSessionOptions,
  type RequestOptions,
  type SessionOptions,
} from "./options.ts";
import { mergeHeaders, prepare } from "./prepare.ts";
import { sendPipeline } from "./send-pipeline.ts";
import type { TimeoutInput } from "./timeouts.ts";

/** Options of `send()`: the per-call settings that are not part of the prepared request. */
export type SendOptions = Pick<
  RequestOptions,
  "timeout" | "allowRedirects" | "verify" | "cert" | "stream" | "signal" | "retries"
>;

/** Cookie persistence of the process-wide session behind `niquests.get()` & co. */
export const EPHEMERAL_COOKIES = Symbol("niquests.ephemeralCookies");

export function defaultHeaders(): CaseInsensitiveDict {
  return new CaseInsensitiveDict({
    "User-Agent": `niquests/${VERSION}`,
    "Accept-Encoding": SUPPORTED_ENCODINGS,
    Accept: "*/*",
  });
}

export class Session {
  /** Sent with every request; per-request headers are merged over these. */
  headers: CaseInsensitiveDict;
  /** The session's cookie jar: Set-Cookie from every response (redirects included) lands here. */
  cookies: CookieJar;
  auth: AuthInput | null;
  params: ParamsInput | null;
  verify: boolean | string;
  cert: CertInput | null;
  hooks: HookTable;
  /** Default timeout; `undefined` means the per-method defaults (30 s / 120 s). */
  timeout: TimeoutInput | undefined;
  maxRedirects: number;
  trustEnv: boolean;
  stream: boolean;
  baseUrl: string | null;
  allowIncomingCookies: boolean;
  maxDecompressedSize: number | null;
  /** Default retry policy (`undefined`: one retry of a failed connect). */
  retries: RetryInput | undefined;
  /** Transports by URL prefix; the longest matching prefix handles a request. */
  readonly adapters = new Map<string, Transport>();
  /** One multiplexed connection per origin (set at construction). */
  readonly multiplexed: boolean;
  [EPHEMERAL_COOKIES] = false;
  #closed = false;
  /** Requests in flight, tracked for `gather()` without arguments (multiplexed sessions only). */
  readonly #pending = new Set<Promise<Response>>();

  constructor(options: SessionOptions = {}) {
    checkSessionOptions(options);
    this.headers = mergeHeaders(defaultHeaders(), options.headers);
    this.cookies = CookieJar.from(options.cookies);
    this.auth = options.auth ?? null;
    this.params = options.params ?? null;
    this.verify = options.verify ?? true;
    this.cert = options.cert ?? null;
    this.hooks = mergeHooks(options.hooks);
    this.timeout = options.timeout;
    this.maxRedirects = options.maxRedirects ?? 30;
    this.trustEnv = options.trustEnv ?? true;
    this.stream = options.stream ?? false;
    this.baseUrl = options.baseUrl ?? null;
    this.allowIncomingCookies = options.allowIncomingCookies ?? true;
    this.maxDecompressedSize = options.maxDecompressedSize ?? null;
    this.retries = options.retries;
    this.multiplexed = options.multiplexed ?? false;
    const transport = new HttpTransport({
      poolConnections: options.poolConnections ?? 10,
      poolMaxsize: options.poolMaxsize ?? 10,
      tlsConfiguration: options.tlsConfiguration ?? null,
      sourceAddress: options.sourceAddress ?? null,
      multiplexed: this.multiplexed,
      ...transportFlags(options),
    });
    this.mount("https://", transport);
    this.mount("http://", transport);
    this.mount("http+unix://", transport);
  }

  /** Sends a request and resolves with its response (body loaded unless `stream: true`). */
  request(method: string, url: string | URL, options: RequestOptions = {}): Promise<Response> {
    return this.#track(this.#request(method, url, options));
  }

  /** Not async: one promise per call, not one per layer (the request hot path). */
  #request(method: string, url: string | URL, options: RequestOptions): Promise<Response> {
    let request: Request;
    try {
      checkRequestOptions(options);
      request = new Request({
        method,
        url,
        headers: options.headers ?? null,
        trailers: options.trailers ?? null,
        params: options.params ?? null,
        data: options.data ?? null,
        json: options.json,
        files: options.files ?? null,
        cookies: options.cookies ?? null,
        auth: options.auth ?? null,
        hooks: options.hooks ?? null,
      });
      // A subclass may override prepareRequest (sync or async): then it runs, awaited.
      if (this.prepareRequest !== Session.prototype.prepareRequest) {
        return Promise.resolve(this.prepareRequest(request)).then((prepared) =>
          this.#send(prepared, options),
        );
      }
      const [prepared, auth] = this.#prepare(request);
      if (this.#closed) throw new TypeError("The session is closed");
      return sendPipeline(this, prepared, auth, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Settles responses still in flight: pass the promises of requests started without `await`
   * (on a `multiplexed` session they share one HTTP/2 connection), or nothing to gather every
   * request the multiplexed session has in flight. Resolves with the responses in argument order;
   * bodies not loaded yet (`stream: true`) are loaded, at most `maxFetch` of them. Rejects with
   * the first failure once all have settled, so no rejection is left unhandled.
   *
   * ```ts
   * const s = new Session({ multiplexed: true });
   * const pending = urls.map((u) => s.get(u));
   * const responses = await s.gather(...pending);
   * ```
   */
  gather(...responses: Gatherable[]): Promise<Response[]>;
  gather(...args: [...responses: Gatherable[], options: GatherOptions]): Promise<Response[]>;
  async gather(...args: Array<Gatherable | GatherOptions>): Promise<Response[]> {
    const { items, options } = splitGatherArgs(args);
    return gatherResponses(items.length > 0 ? items : [...this.#pending], options);
  }

  get(url: string | URL, options?: RequestOptions): Promise<Response> {
    return this.request("GET", url, options);
  }
  options(url: string | URL, options?: RequestOptions): Promise<Response> {
    return this.request("OPTIONS", url, options);
  }
  head(url: string | URL, options?: RequestOptions): Promise<Response> {
    return this.request("HEAD", url, { allowRedirects: false, ...options });
  }
  post(url: string | URL, options?: RequestOptions): Promise<Response> {
    return this.request("POST", url, options);
  }
  put(url: string | URL, options?: RequestOptions): Promise<Response> {
    return this.request("PUT", url, options);
  }
  patch(url: string | URL, options?: RequestOptions): Promise<Response> {
    return this.request("PATCH", url, options);
  }
  delete(url: string | URL, options?: RequestOptions): Promise<Response> {
    return this.request("DELETE", url, options);
  }

  /** Merges session defaults into a Request and encodes it for the wire. */
  async prepareRequest(request: Request): Promise<PreparedRequest> {
    const [prepared, auth] = this.#prepare(request);
    pendingAuth.set(prepared, auth);
    return prepared;
  }

  #prepare(request: Request): [PreparedRequest, AuthBase | AuthFunction | null] {
    const prepared = prepare(request, {
      baseUrl: this.baseUrl,
      headers: this.headers,
      params: this.params,
      hooks: [this.hooks, request.hooks],
    });
    let auth = request.auth ?? this.auth;
    // netrc ranks below explicit auth and above a hand-set Authorization header (Requests).
    if (auth === null && this.trustEnv) auth = cachedNetrc(prepared.parsedUrl());
    return [prepared, auth === null ? null : toAuth(auth)];
  }

  /** Sends a prepared request: hooks, auth, cookies, redirects. */
  send(prepared: PreparedRequest, options: SendOptions = {}): Promise<Response> {
    return this.#track(this.#send(prepared, options));
  }

  #send(prepared: PreparedRequest, options: SendOptions): Promise<Response> {
    if (this.#closed) return Promise.reject(new TypeError("The session is closed"));
    const auth = pendingAuth.get(prepared) ?? null;
    // sendPipeline is async: it rejects rather than throws, so no async wrapper is needed here.
    return sendPipeline(this, prepared, auth, options);
  }

  /** Remembers a call in flight for `gather()`; only multiplexed sessions pay for it. */
  #track(sent: Promise<Response>): Promise<Response> {
    if (!this.multiplexed) return sent;
    this.#pending.add(sent);
    const forget = (): void => {
      this.#pending.delete(sent);
    };
    sent.then(forget, forget);
    return sent;
  }

  /** Routes URLs starting with `prefix` to `adapter` (longest prefix wins). */
  mount(prefix: string, adapter: Transport): void {
    this.adapters.set(prefix.toLowerCase(), adapter);
    const sorted = [...this.adapters].sort((a, b) => b[0].length - a[0].length);
    this.adapters.clear();
    for (const [key, value] of sorted) this.adapters.set(key, value);
  }

  /** The transport that handles `url`. */
  getAdapter(url: string): Transport {
    const lower = url.toLowerCase();
    for (const [prefix, adapter] of this.adapters) if (lower.startsWith(prefix)) return adapter;
    throw new TypeError(`No connection adapter for ${url}`);
  }

  /** Closes every pooled connection. */
  async close(): Promise<void> {
    this.#closed = true;
    const unique = new Set(this.adapters.values());
    await Promise.all([...unique].map((adapter) => adapter.close()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** A readable summary of the adapters and their pooled connections, for debugging. */
  toString(): string {
    const lines = [`<Session${this.#closed ? " (closed)" : ""}>`];
    const seen = new Map<Transport, string[]>();
    for (const [prefix, adapter] of this.adapters) {
      const prefixes = seen.get(adapter);
      if (prefixes) prefixes.push(prefix);
      else seen.set(adapter, [prefix]);
    }
    for (const [adapter, prefixes] of seen) {
      const text = adapter instanceof HttpTransport ? adapter.toString() : `<${adapter.constructor.name}>`;
      lines.push(`  ${prefixes.join(" ")} -> ${text.split("\n").join("\n  ")}`);
    }
    return lines.join("\n");
  }
}

function transportFlags(options: SessionOptions): Partial<HttpTransportOptions> {
  const flags: Partial<HttpTransportOptions> = {};
  if (options.happyEyeballs !== undefined) flags.happyEyeballs = options.happyEyeballs;
  if (options.disableIpv4 !== undefined) flags.disableIpv4 = options.disableIpv4;
  if (options.disableIpv6 !== undefined) flags.disableIpv6 = options.disableIpv6;
  if (options.disableHttp1 !== undefined) flags.disableHttp1 = options.disableHttp1;
  if (options.disableHttp2 !== undefined) flags.disableHttp2 = options.disableHttp2;
  if (options.disableHttp3 !== undefined) flags.disableHttp3 = options.disableHttp3;
  if (options.keepaliveDelay !== undefined) flags.keepaliveDelay = options.keepaliveDelay;
  if (options.keepaliveIdleWindow !== undefined) flags.keepaliveIdleWindow = options.keepaliveIdleWindow;
  return flags;
}

/**
 * netrc credentials per host, looked up at most once a second: the file check costs system
 * calls, and even reading NETRC and HOME from process.env (a call into C++ each) cost ~2% of a
 * request's CPU. A change to the file or to those variables is seen within a second.
 */
let netrcMemo: {
  netrc: string | undefined;
  home: string | undefined;
  at: number;
  hosts: Map<string, [string, string] | null>;
} | null = null;

function cachedNetrc(url: URL): [string, string] | null {
  // Compared as they are: building a key string from them cost more than the two env reads.
  const netrc = process.env.NETRC;
  const home = process.env.HOME;
  const now = Date.now();
  if (
    netrcMemo === null ||
    netrcMemo.netrc !== netrc ||
    netrcMemo.home !== home ||
    now - netrcMemo.at > 1000
  ) {
    netrcMemo = { netrc, home, at: now, hosts: new Map() };
  }
  const host = url.hostname;
  let found = netrcMemo.hosts.get(host);
  if (found === undefined) {
    found = netrcAuth(url);
    netrcMemo.hosts.set(host, found);
  }
  return found;
}

/** Auth resolved by prepareRequest, applied by send after the preRequest hooks (Niquests order). */
const pendingAuth = new WeakMap<PreparedRequest, AuthBase | AuthFunction | null>();
